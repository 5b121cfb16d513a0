"""The emails sign-up sends, each in its reader's language (password reset is Django's)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from cms.accounts.models import PendingSignup, UserProfile


def _send(to: str, name: str, context: dict[str, Any]) -> None:
    """accounts/email/<name>_subject.txt and <name>.txt, in the active language."""
    subject = render_to_string(f"accounts/email/{name}_subject.txt", context)
    body = render_to_string(f"accounts/email/{name}.txt", context)
    send_mail("".join(subject.splitlines()).strip(), body, None, [to])


def send_signup_confirmation(request: HttpRequest, pending: PendingSignup, token: str) -> None:
    """The link that creates the account, in the language the visitor signed up in."""
    with translation.override(pending.language):
        link = reverse("accounts:signup_confirm", kwargs={"token": token})
        context = {"username": pending.username, "confirm_url": request.build_absolute_uri(link)}
        _send(pending.email, "signup_confirm", context)


def send_signup_notice(request: HttpRequest, user: Any) -> None:
    """To an account's owner, in their language: someone tried to sign up with this address;
    here is how to sign in or choose a new password instead."""
    language = (
        UserProfile.objects.filter(user=user).values_list("language", flat=True).first()
        or settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            "username": user.get_username(),
            "login_url": request.build_absolute_uri(reverse("accounts:login")),
            "reset_url": request.build_absolute_uri(reverse("accounts:password_reset")),
        }
        _send(user.email, "signup_notice", context)


def send_account_deleted(*, email: str, username: str, language: str) -> None:
    """After "Delete my account", in the account's language: what was erased, what was kept."""
    if not email:
        return
    with translation.override(language):
        try:
            _send(email, "account_deleted", {"username": username})
        except OSError as error:  # the account is gone either way; the page has said so
            logging.getLogger(__name__).warning("account deletion email not sent: %s", error)
