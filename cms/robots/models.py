"""A user's robots. Their readings live in the telemetry service (robot_telemetry.py reads
them); their API keys are accounts' ApiKey, bound to a robot by its public robot id."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _


def make_robot_id(name: str) -> str:
    """A public id like `rover-7-3f9a1c`: the name as a slug plus 6 random hex characters."""
    base = slugify(name)[:40].strip("-") or "robot"
    return f"{base}-{secrets.token_hex(3)}"


def robot_owners() -> models.QuerySet:
    """Users who own at least one robot, by username (the admin's owner filters)."""
    return get_user_model().objects.filter(robots__isnull=False).distinct().order_by("username")


class RobotQuerySet(models.QuerySet):
    def owned_by(self, user: Any) -> RobotQuerySet:
        return self.filter(owner=user)

    def search(self, text: str) -> RobotQuerySet:
        """Robots whose name, robot id or owner's username contains `text`."""
        return self.filter(
            Q(name__icontains=text)
            | Q(robot_id__icontains=text)
            | Q(owner__username__icontains=text)
        )


class Robot(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="robots",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=80)
    robot_id = models.SlugField(
        _("robot id"),
        max_length=50,
        unique=True,
        editable=False,
        help_text=_("Public identifier used by telemetry readings."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    objects = RobotQuerySet.as_manager()

    class Meta:
        db_table = "accounts_robot"  # the table dates from when accounts held robots
        verbose_name = _("robot")
        verbose_name_plural = _("robots")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"],
                name="accounts_robot_name_unique_per_owner",
                violation_error_message=_("You already have a robot with this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.robot_id})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.robot_id:
            return super().save(*args, **kwargs)
        for _attempt in range(5):  # a clash of 24 random bits on the same name is rare
            self.robot_id = make_robot_id(self.name)
            try:
                with transaction.atomic():
                    return super().save(*args, **kwargs)
            except IntegrityError:
                if not Robot.objects.filter(robot_id=self.robot_id).exists():
                    raise
        raise IntegrityError("could not find a free robot id")
