"""Every user gets a profile as soon as the user is saved; what pages cache per user
(cms.accounts.per_user) is dropped when what it is made of changes."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from cms.accounts.context_processors import PAGE_CHROME
from cms.accounts.models import UserProfile
from cms.accounts.per_user import forget_user

User = get_user_model()
UserGroups = User.groups.through
UserPermissions = User.user_permissions.through
GroupPermissions = Group.permissions.through


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_create_profile")
def create_profile(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        UserProfile.objects.get_or_create(user=instance)


# --- Per-user values: the user bar follows is_active, is_superuser and permissions ----------


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_saved")
def user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:  # an id used before (a database restored or reset) starts afresh
        forget_user(instance.pk)
    else:
        PAGE_CHROME.forget([instance.pk])


@receiver(post_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_user_deleted")
def user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    forget_user(instance.pk)


@receiver(post_save, sender=UserProfile, dispatch_uid="accounts_profile_saved")
def profile_saved(sender: Any, instance: UserProfile, **kwargs: Any) -> None:
    PAGE_CHROME.forget([instance.user_id])


def _members(group_ids: Iterable[int]) -> list[int]:
    return list(
        UserGroups.objects.filter(group_id__in=list(group_ids)).values_list("user_id", flat=True)
    )


def _far_side(
    action: str, reverse: bool, instance: Any, pk_set: set[int] | None, holders: Any
) -> Iterable[int]:
    """The ids an m2m change touches on the side that is not `instance`'s own (users, or the
    groups of a group's permissions): added or removed ones, or on a clear from the far side,
    those that held `instance` (`holders()`, read before the rows go)."""
    if action in {"post_add", "post_remove"}:
        return (pk_set or set()) if reverse else [instance.pk]
    if action == "pre_clear":
        return holders() if reverse else [instance.pk]
    return []


@receiver(m2m_changed, sender=UserGroups, dispatch_uid="accounts_user_groups_changed")
def user_groups_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    PAGE_CHROME.forget(
        _far_side(action, reverse, instance, pk_set, lambda: _members([instance.pk]))
    )


@receiver(m2m_changed, sender=UserPermissions, dispatch_uid="accounts_user_permissions_changed")
def user_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    def holders() -> list[int]:
        return list(
            UserPermissions.objects.filter(permission=instance).values_list("user_id", flat=True)
        )

    PAGE_CHROME.forget(_far_side(action, reverse, instance, pk_set, holders))


@receiver(m2m_changed, sender=GroupPermissions, dispatch_uid="accounts_group_permissions_changed")
def group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None, **kwargs: Any
) -> None:
    def holders() -> list[int]:
        return list(
            GroupPermissions.objects.filter(permission=instance).values_list("group_id", flat=True)
        )

    groups = list(_far_side(action, reverse, instance, pk_set, holders))
    if groups:
        PAGE_CHROME.forget(_members(groups))


@receiver(pre_delete, sender=Group, dispatch_uid="accounts_group_deleted")
def group_deleted(sender: Any, instance: Group, **kwargs: Any) -> None:
    PAGE_CHROME.forget(_members([instance.pk]))


@receiver(pre_delete, sender=Permission, dispatch_uid="accounts_permission_deleted")
def permission_deleted(sender: Any, instance: Permission, **kwargs: Any) -> None:
    groups = GroupPermissions.objects.filter(permission=instance).values_list("group_id", flat=True)
    direct = UserPermissions.objects.filter(permission=instance).values_list("user_id", flat=True)
    PAGE_CHROME.forget({*direct, *_members(groups)})
