"""Who may open the IDS view: staff, and members of the analyst group."""

from django.contrib.auth.models import AbstractUser, AnonymousUser

from croody_core.scopes import ANALYST_GROUP


def can_view_ids(user: AbstractUser | AnonymousUser) -> bool:
    if not user.is_active:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return user.groups.filter(name=ANALYST_GROUP).exists()
