from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.contrib.auth.hashers import make_password
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from cms.accounts import emails
from cms.accounts.models import (
    SCOPE_CHOICES,
    ApiKey,
    Palette,
    PendingSignup,
    Theme,
    UserProfile,
    language_choices,
)
from cms.accounts.validators import AVATAR_CONTENT_TYPES
from cms.robots.models import Robot
from croody_core import scopes as key_scopes

User = get_user_model()


class SignInForm(AuthenticationForm):
    """Django's, with the username's length enforced, not only announced.

    AuthenticationForm sets `max_length` after the field is built, so no validator checks
    it: an over-long name reached authenticate() and django-axes, whose record of the
    failure (a varchar(255)) then failed on PostgreSQL. Now it is a form error.
    """

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username = cast(forms.CharField, self.fields["username"])
        username.validators.append(MaxLengthValidator(cast(int, username.max_length)))


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email"),
        help_text=_("We send password reset links here."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(autocomplete="username", autofocus=True)

    def clean_email(self) -> str:
        # Never "already registered" here: that would tell anyone which addresses have an
        # account. send() deals with it by email, where only the address's owner reads it.
        return User.objects.normalize_email(self.cleaned_data["email"])

    def save(self, commit: bool = True) -> Any:
        # UserCreationForm's save would create the account before the address is confirmed.
        raise NotImplementedError("sign-up creates no account directly: use send()")

    def send(self, request: HttpRequest) -> None:
        """Email the address: a link that creates the account when the address is new, or,
        when it already has one, a notice to its owner on how to sign in or reset the
        password. No account exists until the link is followed.

        Both branches hash the password and send one email, so neither the page that
        follows nor the time it takes tells them apart.
        """
        email = self.cleaned_data["email"]
        password_hash = make_password(self.cleaned_data["password1"])
        accounts = list(User.objects.filter(email__iexact=email))
        if accounts:
            for account in accounts:
                if account.is_active:  # as password reset: no mail for a deactivated account
                    emails.send_signup_notice(request, account)
            return
        pending, token = PendingSignup.objects.start(
            username=self.cleaned_data["username"],
            email=email,
            password_hash=password_hash,
            language=translation.get_language() or "",
        )
        emails.send_signup_confirmation(request, pending, token)


class AvatarInput(forms.ClearableFileInput):
    """The current avatar, the file picker and "Remove"; with JavaScript, a live preview of
    the chosen image (accounts/static/accounts/profile.js)."""

    template_name = "accounts/widgets/avatar_input.html"


class ProfileForm(forms.ModelForm):
    prefix = "profile"

    class Meta:
        model = UserProfile
        fields = ("display_name", "avatar", "bio")
        widgets = {
            "avatar": AvatarInput(attrs={"accept": AVATAR_CONTENT_TYPES}),
            "bio": forms.Textarea(attrs={"rows": 4}),
        }


class PreferencesForm(forms.ModelForm):
    prefix = "prefs"

    language = forms.ChoiceField(label=_("Language"), choices=language_choices)
    theme = forms.ChoiceField(label=_("Theme"), choices=Theme.choices, widget=forms.RadioSelect)
    palette = forms.ChoiceField(
        label=_("Palette"), choices=Palette.choices, widget=forms.RadioSelect
    )

    class Meta:
        model = UserProfile
        fields = ("language", "theme", "palette")

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if data is not None and instance is not None:
            # A preference not sent keeps its saved value: the header's theme controls
            # (theme.js) send only the theme and palette to this same form.
            data = data.copy()
            for name in self._meta.fields or ():
                data.setdefault(f"{self.prefix}-{name}", getattr(instance, name))
        super().__init__(data, *args, **kwargs)


class ApiKeyForm(forms.Form):
    prefix = "key"

    name = forms.CharField(
        label=_("Key name"),
        max_length=100,
        help_text=_("A label for you, e.g. where the key is used."),
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=SCOPE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    robot = forms.ModelChoiceField(
        label=_("Robot"),
        queryset=Robot.objects.none(),
        required=False,
        empty_label=_("No robot"),
        help_text=_("Required for telemetry:write: the key may only send this robot's readings."),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["robot"]).queryset = Robot.objects.owned_by(user)
        # Offer only the scopes this user's keys may use (analysts' and staff's are their own).
        granted = key_scopes.grantable_scopes(
            user.is_staff, user.groups.values_list("name", flat=True)
        )
        field = cast(forms.MultipleChoiceField, self.fields["scopes"])
        field.choices = [choice for choice in SCOPE_CHOICES if choice[0] in granted]

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())
        scopes = cleaned.get("scopes") or []
        if key_scopes.SCOPE_TELEMETRY_WRITE in scopes and not cleaned.get("robot"):
            self.add_error(
                "robot",
                forms.ValidationError(
                    _("A key with telemetry:write must be bound to exactly one robot."),
                    code="robot_required",
                ),
            )
        return cleaned

    def save(self) -> tuple[ApiKey, str]:
        return ApiKey.objects.issue(
            user=self.user,
            scopes=self.cleaned_data["scopes"],
            name=self.cleaned_data["name"],
            robot=self.cleaned_data.get("robot"),
        )


class DeleteAccountForm(forms.Form):
    """ "Delete my account": the password again, so a borrowed session cannot erase it."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password: your account was not deleted."),
                code="password_incorrect",
            )
        return password
