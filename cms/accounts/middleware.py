"""Keeps the `croody_api` cookie (see croody_core/session.py) in step with the sign-in."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cms.services.credentials import session_secret
from croody_core import session as api_session


class ApiSessionMiddleware:
    """Issue the token to signed-in users, refresh it before it expires, delete it on sign-out.

    Goes after AuthenticationMiddleware. Requests without a session cookie are never signed in,
    so the session is not even loaded for them (loading it would add `Vary: Cookie`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def secret(self) -> str:
        return session_secret()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        presented = request.COOKIES.get(api_session.COOKIE_NAME)
        user = None
        session = getattr(request, "session", None)
        if settings.SESSION_COOKIE_NAME in request.COOKIES or (
            session is not None and session.accessed
        ):
            user = request.user  # after the view: sign-in and sign-out have replaced it
        if user is None or not user.is_authenticated:
            if presented is not None:
                response.delete_cookie(
                    api_session.COOKIE_NAME, path=api_session.COOKIE_PATH, samesite="Lax"
                )
            return response
        if not self._needs_refresh(presented, user.pk):
            return response
        token = api_session.issue_token(
            user_id=user.pk,
            is_staff=user.is_staff,
            groups=user.groups.values_list("name", flat=True),
            secret=self.secret,
        )
        response.set_cookie(
            api_session.COOKIE_NAME,
            token,
            max_age=api_session.TOKEN_TTL_SECONDS,
            path=api_session.COOKIE_PATH,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
        return response

    def _needs_refresh(self, presented: str | None, user_id: int) -> bool:
        claims = api_session.verify_token(presented or "", self.secret)
        if claims is None or claims.user_id != user_id:
            return True
        issued_at = claims.expires_at - api_session.TOKEN_TTL_SECONDS
        return time.time() - issued_at >= api_session.REFRESH_AFTER_SECONDS
