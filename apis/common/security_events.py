"""The services' security events (observability.security): every 401, 403 and 429 they answer.

Called by the error handlers (apis.common.errors), through which every refusal goes: the auth
dependency's 401/403/429 (apis.common.auth) and the routes' own 403s alike. What the auth
dependency learnt is on `request.state`: the caller (`principal`) and the scopes the route
needs (`required_scopes`). For a 401 the event names the kind of credential presented and, for
a well-formed key, its prefix: never the key, the session token or a header's value.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from asgi_correlation_id import correlation_id
from fastapi import Request

from croody_core import keys
from croody_core import session as api_session
from observability.security import security_event

REFUSALS = {401: "permission_denied", 403: "permission_denied", 429: "throttled"}


def _credential(request: Request) -> tuple[str, str | None]:
    """The kind of credential presented, and the key's prefix when it is a well-formed key."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return "other", None
        parsed = keys.parse_key(value.strip())
        return "bearer", parsed.prefix if parsed else None
    api_key = request.headers.get("x-api-key")
    if api_key is not None:
        parsed = keys.parse_key(api_key.strip())
        return "x-api-key", parsed.prefix if parsed else None
    if request.cookies.get(api_session.COOKIE_NAME):
        return "session", None
    return "none", None


def report_refusal(request: Request, status: int, headers: Mapping[str, str] | None = None) -> None:
    """Log and count a refusal answered with `status` (and `headers`); other statuses are not
    security events."""
    event = REFUSALS.get(status)
    if event is None:
        return
    fields: dict[str, Any] = {"method": request.method, "path": request.url.path, "status": status}
    principal = getattr(request.state, "principal", None)
    if principal is not None:  # authenticated: refused a scope, a robot, or over the limit
        fields["principal"] = principal.source
    else:
        fields["credential"], fields["key_prefix"] = _credential(request)
    if status == 403:
        fields["scopes"] = getattr(request.state, "required_scopes", None) or None
    if status == 429:
        settings = getattr(request.app.state, "settings", None)
        fields["limit"] = getattr(settings, "rate_limit", None)
        retry_after = (headers or {}).get("Retry-After", "")
        fields["retry_after"] = int(retry_after) if retry_after.isdigit() else None
    security_event(
        event,
        service=getattr(request.app.state, "service", request.app.title),
        request_id=correlation_id.get(),
        client=request.client.host if request.client else None,
        **fields,
    )
