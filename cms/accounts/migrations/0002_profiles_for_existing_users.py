from django.conf import settings
from django.db import migrations


def create_missing_profiles(apps, schema_editor):
    """Users created before this app was installed get a profile too."""
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    UserProfile = apps.get_model("accounts", "UserProfile")
    missing = User.objects.filter(profile__isnull=True).values_list("pk", flat=True)
    UserProfile.objects.bulk_create(
        [UserProfile(user_id=pk, language=settings.LANGUAGE_CODE) for pk in missing]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create_missing_profiles, migrations.RunPython.noop)]
