"""Robot now belongs to the robots app (cms/robots/migrations/0001_initial.py).

State only, the table `accounts_robot` and its rows stay as they are: ApiKey.robot points to
robots.Robot, and accounts forgets Robot. Its content type moves too, so permissions granted
on robots and admin log entries about them carry over.
"""

import django.db.models.deletion
from django.db import migrations, models


def move_content_type(apps, schema_editor, source="accounts", target="robots"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_types = ContentType.objects.using(schema_editor.connection.alias)
    if not content_types.filter(app_label=target, model="robot").exists():
        content_types.filter(app_label=source, model="robot").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="robots", target="accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_profiles_for_existing_users"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("robots", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="apikey",
                    name="robot",
                    field=models.ForeignKey(
                        blank=True,
                        db_column="robot_id",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_keys",
                        to="robots.robot",
                        to_field="robot_id",
                        verbose_name="robot",
                    ),
                ),
                migrations.DeleteModel(name="Robot"),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
