"""The CMS's security events (observability.security), from Django's own hooks.

- `login_failed`: Django's `user_login_failed` signal (the site's sign-in and Wagtail's admin);
- `lockout`: django-axes' `user_locked_out` (cms.accounts.throttling);
- `key_created` / `key_revoked`: an ApiKey saved for the first time, `ApiKey.revoke()`, or an
  active key deleted: every path (profile, admin, `manage.py apikey`, demo robots);
- `permission_denied`: any 401 or 403 the CMS answers (SecurityEventsMiddleware), CSRF
  failures excepted;
- `throttled`: the /api/v2/ throttle (`drf_exception_handler`, REST_FRAMEWORK's
  EXCEPTION_HANDLER);
- `csrf_failure`: `csrf_failure`, Django's CSRF_FAILURE_VIEW, then Django's own page.

The receivers are connected by `connect()`, from BaseConfig.ready(). Model signals carry no
request: SecurityEventsMiddleware keeps the current one where they find it. The middleware
also gives requests that did not come through observability.instrument (WSGI, the test
client) a request id, as instrument does, so every event and log line has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from asgi_correlation_id import correlation_id
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponseBase
from django.views import csrf
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler

from cms.accounts.models import ApiKey, api_key_revoked
from observability.instrument import valid_request_id
from observability.security import expect_service, security_event

SERVICE = "cms"
REFUSED_STATUSES = frozenset({401, 403})
_current_request: ContextVar[HttpRequest | None] = ContextVar("security_request", default=None)


def record(event: str, request: HttpRequest | None = None, **fields: Any) -> None:
    """Log and count `event` for `request` (by default the one being answered, if any)."""
    request = request if request is not None else _current_request.get()
    client = request.META.get("REMOTE_ADDR") if request is not None else None
    if request is not None:
        fields.setdefault("path", request.path)
        fields.setdefault("method", request.method)
    security_event(event, service=SERVICE, request_id=correlation_id.get(), client=client, **fields)


def _user_id(request: HttpRequest | None) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


class SecurityEventsMiddleware:
    """First in MIDDLEWARE: sees every answer, and every other middleware's log lines get the
    request id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = None
        if correlation_id.get() is None:  # not through observability.instrument
            presented = request.headers.get("X-Request-ID", "")
            request_id = presented if valid_request_id(presented) else uuid.uuid4().hex
            own_id = correlation_id.set(request_id)
        current = _current_request.set(request)
        try:
            response = self.get_response(request)
            if response.status_code in REFUSED_STATUSES and not getattr(
                request, "security_event_recorded", False
            ):
                record(
                    "permission_denied",
                    request,
                    status=response.status_code,
                    user_id=_user_id(request),
                )
        finally:
            _current_request.reset(current)
            if request_id is not None:
                correlation_id.reset(own_id)
        if request_id is not None:
            response.headers.setdefault("X-Request-ID", request_id)
        return response


def csrf_failure(
    request: HttpRequest, reason: str = "", template_name: str = csrf.CSRF_FAILURE_TEMPLATE_NAME
) -> HttpResponseBase:
    """CSRF_FAILURE_VIEW: record the failure, then Django's page (in the visitor's language)."""
    record("csrf_failure", request, reason=reason, user_id=_user_id(request))
    request.security_event_recorded = True  # type: ignore[attr-defined]  # not a second event
    return csrf.csrf_failure(request, reason=reason, template_name=template_name)


def drf_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """REST_FRAMEWORK's EXCEPTION_HANDLER: DRF's own, recording throttled requests."""
    response = exception_handler(exc, context)
    if isinstance(exc, Throttled):
        view = context.get("view")
        throttles = view.get_throttles() if view is not None else []
        record(
            "throttled",
            getattr(context.get("request"), "_request", None),
            scope=",".join(sorted({str(getattr(t, "scope", "")) for t in throttles})) or None,
            retry_after=getattr(exc, "wait", None),  # seconds; the stubs lack it
        )
    return response


def _login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Only the name tried: Django masks passwords, but nothing else is needed here.
    username_field = get_user_model().USERNAME_FIELD
    username = credentials.get(username_field, credentials.get("username"))
    record("login_failed", request, username=str(username) if username is not None else None)


def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: str | None = None, **kwargs: Any
) -> None:
    record(
        "lockout",
        request,
        username=username,
        failures=getattr(request, "axes_failures_since_start", None),
    )


def _key_fields(api_key: ApiKey) -> dict[str, Any]:
    """What identifies a key without revealing it: its prefix (never the key, nor its hash)."""
    return {
        "key_prefix": api_key.prefix,
        "owner_id": api_key.user_id,
        "robot_id": api_key.robot_id,
        "scopes": list(api_key.scope_list),
        "actor_id": _user_id(_current_request.get()),
    }


def _key_saved(
    sender: Any, instance: ApiKey, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if created and not raw:
        record("key_created", **_key_fields(instance))


def _key_revoked(sender: Any, api_key: ApiKey, **kwargs: Any) -> None:
    record("key_revoked", how="revoked", **_key_fields(api_key))


def _key_deleted(sender: Any, instance: ApiKey, **kwargs: Any) -> None:
    if instance.is_active:  # deleting a key that still worked revokes it too
        record("key_revoked", how="deleted", **_key_fields(instance))


def connect() -> None:
    expect_service(SERVICE)
    user_login_failed.connect(_login_failed, dispatch_uid="security_login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="security_lockout")
    post_save.connect(_key_saved, sender=ApiKey, dispatch_uid="security_key_created")
    api_key_revoked.connect(_key_revoked, sender=ApiKey, dispatch_uid="security_key_revoked")
    post_delete.connect(_key_deleted, sender=ApiKey, dispatch_uid="security_key_deleted")
