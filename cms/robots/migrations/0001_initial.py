"""Robot moves here from the accounts app, with its table (still `accounts_robot`) and rows.

State only: accounts' migration 0001 made the table, and this one runs after it, so a fresh
database gets it from there and an existing one keeps it. accounts' 0003 then drops Robot
from accounts' state and points ApiKey.robot here.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0002_profiles_for_existing_users"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Robot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=80, verbose_name="name")),
                        (
                            "robot_id",
                            models.SlugField(
                                editable=False,
                                help_text="Public identifier used by telemetry readings.",
                                unique=True,
                                verbose_name="robot id",
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                editable=False,
                                verbose_name="created",
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="robots",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="owner",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "robot",
                        "verbose_name_plural": "robots",
                        "db_table": "accounts_robot",
                        "ordering": ["name"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("owner", "name"),
                                name="accounts_robot_name_unique_per_owner",
                                violation_error_message="You already have a robot with this name.",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
