"""Accounts: a profile per user and the API keys they issue (their robots: cms.robots)."""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.accounts.validators import AVATAR_FORMATS, validate_avatar
from cms.robots.models import Robot
from croody_core import keys
from croody_core import scopes as key_scopes
from croody_core.introspection import KeyRecord, Owner


class Theme(models.TextChoices):
    SYSTEM = "system", _("Follow the system")
    DARK = "dark", _("Dark")
    LIGHT = "light", _("Light")


class Palette(models.TextChoices):
    GATOR = "gator", _("Gator")
    JUNGLE = "jungle", _("Jungle")
    SAND = "sand", _("Sand")
    CRIMSON = "crimson", _("Crimson")


SCOPE_LABELS = {
    key_scopes.SCOPE_TELEMETRY_WRITE: _("Telemetry: send readings (one robot)"),
    key_scopes.SCOPE_TELEMETRY_READ: _("Telemetry: read readings"),
    key_scopes.SCOPE_IDS_SCORE: _("IDS: score traffic"),
    key_scopes.SCOPE_IDS_ANALYST: _("IDS: analyst queries"),
    key_scopes.SCOPE_IDS_MODELS: _("IDS: promote and roll back models"),
}
SCOPE_CHOICES = [(scope, SCOPE_LABELS[scope]) for scope in key_scopes.SCOPES]


def avatar_upload_to(instance: UserProfile, filename: str) -> str:
    """avatars/<user id>/<random>.<ext>: no user-chosen names in storage paths."""
    extension = PurePosixPath(filename).suffix.lower().lstrip(".")
    if extension == "jpeg":
        extension = "jpg"
    if extension not in AVATAR_FORMATS.values():
        extension = "img"
    return f"avatars/{instance.user_id}/{uuid.uuid4().hex}.{extension}"


def default_language() -> str:
    return settings.LANGUAGE_CODE


def language_choices() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class UserProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    avatar = models.ImageField(
        _("avatar"),
        upload_to=avatar_upload_to,
        blank=True,
        validators=[validate_avatar],
        help_text=_("JPEG, PNG, WebP or GIF, at most 2 MB."),
    )
    bio = models.TextField(_("bio"), max_length=1000, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=language_choices, default=default_language
    )
    theme = models.CharField(_("theme"), max_length=10, choices=Theme, default=Theme.SYSTEM)
    palette = models.CharField(_("palette"), max_length=10, choices=Palette, default=Palette.GATOR)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    @property
    def preferences(self) -> dict[str, str]:
        return {"theme": self.theme, "palette": self.palette}


def profile_for(user: Any) -> UserProfile:
    """The user's profile, created when missing (users made before this app existed)."""
    try:
        return user.profile
    except UserProfile.DoesNotExist:
        profile, _created = UserProfile.objects.get_or_create(user=user)
        return profile


# Sent by ApiKey.revoke() when it revokes a key (with `api_key`); the security log listens.
api_key_revoked = Signal()


class ApiKeyQuerySet(models.QuerySet):
    def active(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=True)

    def revoked(self) -> ApiKeyQuerySet:
        return self.filter(revoked_at__isnull=False)

    def for_user(self, user: Any) -> ApiKeyQuerySet:
        return self.filter(user=user)

    def for_introspection(self) -> ApiKeyQuerySet:
        return self.select_related("user")

    def with_scope(self, scope: str) -> ApiKeyQuerySet:
        return self.filter(
            Q(scopes=scope)
            | Q(scopes__startswith=f"{scope},")
            | Q(scopes__endswith=f",{scope}")
            | Q(scopes__contains=f",{scope},")
        )


class ApiKeyManager(models.Manager.from_queryset(ApiKeyQuerySet)):  # type: ignore[misc]
    def issue(
        self,
        *,
        user: Any,
        scopes: str | Iterable[str],
        name: str = "",
        robot: Robot | None = None,
    ) -> tuple[ApiKey, str]:
        """Create a key and return it with the full key string, which is never stored.

        Raises ValidationError for unknown scopes, `telemetry:write` without a robot, or a
        robot that belongs to someone else.
        """
        try:
            scopes = key_scopes.format_scopes(scopes)
        except ValueError as error:
            raise ValidationError({"scopes": str(error)}, code="unknown_scope") from error
        for _attempt in range(5):
            new = keys.generate_key()
            api_key = self.model(
                user=user,
                robot=robot,
                name=name,
                prefix=new.prefix,
                key_hash=new.key_hash,
                scopes=scopes,
            )
            api_key.full_clean(exclude=["prefix"])
            try:
                with transaction.atomic():
                    api_key.save(force_insert=True)
            except IntegrityError:
                if not self.filter(prefix=new.prefix).exists():
                    raise
                continue  # 36**8 prefixes: a clash is rare, try another
            return api_key, new.key
        raise IntegrityError("could not find a free key prefix")

    def authenticate(self, presented: str, scope: str | None = None) -> ApiKey | None:
        """The active key matching `presented` (and holding `scope`), recording its use."""
        parsed = keys.parse_key(presented or "")
        if parsed is None:
            return None
        api_key = self.select_related("robot", "user").filter(prefix=parsed.prefix).first()
        if api_key is None or not keys.verify_key(
            presented, api_key.key_hash, revoked=not api_key.is_active
        ):
            return None
        if not api_key.user.is_active:
            return None
        if scope is not None and not api_key.has_scope(scope):
            return None
        api_key.last_used_at = timezone.now()
        self.filter(pk=api_key.pk).update(last_used_at=api_key.last_used_at)
        return api_key


def validate_scopes(value: str) -> None:
    try:
        scopes = key_scopes.parse_scopes(value)
    except ValueError as error:
        raise ValidationError(
            _("Unknown scope. Choose among: %(scopes)s."),
            code="unknown_scope",
            params={"scopes": ", ".join(key_scopes.SCOPES)},
        ) from error
    if not scopes:
        raise ValidationError(_("Choose at least one scope."), code="no_scope")


class ApiKey(models.Model):
    """One key model for both APIs; the keys themselves are croody_core.keys."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("user"),
    )
    robot = models.ForeignKey(
        Robot,
        on_delete=models.CASCADE,
        to_field="robot_id",
        db_column="robot_id",
        null=True,
        blank=True,
        related_name="api_keys",
        verbose_name=_("robot"),
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=keys.PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, editable=False)
    scopes = models.CharField(_("scopes"), max_length=100, validators=[validate_scopes])
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    objects = ApiKeyManager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(robot__isnull=False)
                | ~Q(scopes__contains=key_scopes.SCOPE_TELEMETRY_WRITE),
                name="accounts_apikey_telemetry_write_needs_robot",
                violation_error_message=_("A key with telemetry:write must be bound to a robot."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.scopes:
            with contextlib.suppress(ValueError):  # left for validation to report
                self.scopes = key_scopes.format_scopes(self.scopes)
        return super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        try:
            scopes = key_scopes.parse_scopes(self.scopes)
        except ValueError:
            return  # reported by the field validator
        self.scopes = ",".join(scopes)
        if key_scopes.SCOPE_TELEMETRY_WRITE in scopes and self.robot_id is None:
            raise ValidationError(
                {"robot": _("A key with telemetry:write must be bound to exactly one robot.")},
                code="robot_required",
            )
        if (
            self.robot is not None
            and self.user_id is not None
            and self.robot.owner_id != self.user_id
        ):
            raise ValidationError(
                {"robot": _("The robot must belong to the key's owner.")},
                code="robot_owner",
            )

    @property
    def scope_list(self) -> tuple[str, ...]:
        try:
            return key_scopes.parse_scopes(self.scopes)
        except ValueError:
            return ()

    def has_scope(self, scope: str) -> bool:
        return scope in self.scope_list

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def introspection_record(self) -> KeyRecord:
        """What a service needs to verify this key and scope its caller (never the key)."""
        owner = owner_record(self.user_id)
        assert owner is not None  # noqa: S101 -- the foreign key guarantees the user
        return KeyRecord(
            prefix=self.prefix,
            key_hash=self.key_hash,
            scopes=self.scope_list,
            robot_id=self.robot_id,
            revoked=not self.is_active,
            owner=owner,
        )

    def revoke(self) -> bool:
        """Revoke the key; False when it already was."""
        if self.revoked_at is not None:
            return False
        self.revoked_at = timezone.now()
        revoked = (
            type(self)
            .objects.filter(pk=self.pk, revoked_at__isnull=True)
            .update(revoked_at=self.revoked_at)
        )
        if revoked:  # not when another request revoked it first
            api_key_revoked.send(sender=type(self), api_key=self)
        return True


def owner_record(user_id: int) -> Owner | None:
    """A user's standing, groups and robots as the services see them; None: no such user."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return None
    return Owner(
        user_id=user.pk,
        active=user.is_active,
        staff=user.is_staff,
        groups=frozenset(user.groups.values_list("name", flat=True)),
        robots=frozenset(Robot.objects.owned_by(user).values_list("robot_id", flat=True)),
    )


# --- Sign-up: no account until the address is confirmed ------------------------------------

SIGNUP_LINK_LIFETIME = timedelta(days=3)  # as long as a password reset link (Django's default)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()  # 256 random bits: a fast hash is right


class PendingSignupQuerySet(models.QuerySet):
    def expired(self) -> PendingSignupQuerySet:
        return self.filter(created_at__lt=timezone.now() - SIGNUP_LINK_LIFETIME)

    def current(self) -> PendingSignupQuerySet:
        return self.filter(created_at__gte=timezone.now() - SIGNUP_LINK_LIFETIME)


class PendingSignupManager(models.Manager.from_queryset(PendingSignupQuerySet)):  # type: ignore[misc]
    def start(
        self, *, username: str, email: str, password_hash: str, language: str
    ) -> tuple[PendingSignup, str]:
        """Keep a sign-up until its link is followed; return it with the link's token.

        Only the token's hash is stored. Expired sign-ups are dropped on the way.
        """
        self.expired().delete()
        token = secrets.token_urlsafe(32)
        if language not in {code for code, _name in settings.LANGUAGES}:
            language = settings.LANGUAGE_CODE
        pending = self.create(
            token_hash=_token_hash(token),
            username=username,
            email=email,
            password=password_hash,
            language=language,
        )
        return pending, token

    def for_token(self, token: str) -> PendingSignup | None:
        """The unexpired sign-up this link token belongs to, if any."""
        return self.current().filter(token_hash=_token_hash(token)).first()


class PendingSignup(models.Model):
    """A sign-up waiting for its address to be confirmed (shown nowhere but the link's page).

    The account is only created when the emailed link is followed, so an address someone
    typed, theirs or not, reserves neither the address nor the username, and the sign-up
    form answers the same whether or not the address already has an account.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    username = models.CharField(max_length=150)
    email = models.EmailField()
    password = models.CharField(max_length=128)  # a hash, as in User.password
    language = models.CharField(max_length=10, default=default_language)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = PendingSignupManager()

    def __str__(self) -> str:
        return f"{self.username} <{self.email}>"

    def create_account(self) -> Any:
        """Create the user (with its profile in the sign-up's language) and forget every
        pending sign-up for this address.

        Raises ValidationError when the link was used already, or when the address or the
        username has been taken since (by another sign-up confirmed first).
        """
        user_model = get_user_model()
        used = ValidationError(
            _("This link is invalid: it may have been used already or have expired."), code="used"
        )
        taken = ValidationError(
            _("The username “%(username)s” has been taken since. Please sign up again."),
            code="username_taken",
            params={"username": self.username},
        )
        with transaction.atomic():
            # Deleting first makes the link single-use, even for two clicks at once; a link
            # that cannot create its account is spent too.
            deleted, _counts = type(self).objects.filter(pk=self.pk).delete()
            if not deleted or user_model.objects.filter(email__iexact=self.email).exists():
                problem = used
            elif user_model.objects.filter(username__iexact=self.username).exists():
                problem = taken
            else:
                try:
                    with transaction.atomic():
                        user = user_model.objects.create(
                            username=self.username, email=self.email, password=self.password
                        )
                except IntegrityError:  # the same username, confirmed a moment earlier
                    problem = taken
                else:
                    UserProfile.objects.update_or_create(
                        user=user, defaults={"language": self.language}
                    )
                    type(self).objects.filter(email__iexact=self.email).delete()
                    return user
        raise problem
