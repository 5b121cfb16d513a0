"""The `croody_api` cookie: a short-lived signed token telling the APIs who is signed in.

The CMS sets it for a signed-in user on every request that needs a fresh one: HttpOnly,
SameSite=Lax, path `/api/`, Secure in production; it is deleted on sign-out. The services read
it from requests on the same origin. The CMS also mints one for the user it reads service data
for (the fleet view, My robots, the IDS views) and sends it as this cookie.

Token: ``v1.<payload>.<signature>``, both parts base64url without padding; the payload is the
JSON object ``{"uid": int, "staff": bool, "groups": [str], "exp": unix seconds}`` and the
signature HMAC-SHA256 over ``v1.<payload>`` with `API_SESSION_SECRET`. A token the CMS mints
for its own reads also carries ``"robots": [str]``, the robots the user owns, so the service
needs not ask; the browser's cookie does not (it would grow with the fleet).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

COOKIE_NAME = "croody_api"
COOKIE_PATH = "/api/"
TOKEN_TTL_SECONDS = 300
# The middleware re-issues a token once it is this old, so it never expires under an active user.
REFRESH_AFTER_SECONDS = 60
SECRET_FILE = "api-session-secret"  # noqa: S105  (a file name, not a secret)
MIN_SECRET_LENGTH = 32
MAX_TOKEN_LENGTH = 16384  # a minted token lists the user's robots
_VERSION = "v1"


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    is_staff: bool
    groups: frozenset[str]
    expires_at: int
    robots: frozenset[str] | None = None  # None: not stated, ask the CMS


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(message: str, secret: str) -> str:
    return _b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest())


def issue_token(
    *,
    user_id: int,
    is_staff: bool,
    groups: Iterable[str],
    secret: str,
    ttl: int = TOKEN_TTL_SECONDS,
    now: float | None = None,
    robots: Iterable[str] | None = None,
) -> str:
    issued = int(time.time() if now is None else now)
    payload: dict[str, object] = {
        "uid": user_id,
        "staff": is_staff,
        "groups": sorted(groups),
        "exp": issued + ttl,
    }
    if robots is not None:
        payload["robots"] = sorted(robots)
    body = _b64encode(json.dumps(payload, separators=(",", ":")).encode())
    message = f"{_VERSION}.{body}"
    return f"{message}.{_sign(message, secret)}"


def verify_token(token: str, secret: str, *, now: float | None = None) -> SessionClaims | None:
    """The claims of a genuine, unexpired token; None for anything else."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not secret:
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != _VERSION:
        return None
    message = f"{parts[0]}.{parts[1]}"
    if not hmac.compare_digest(_sign(message, secret), parts[2]):
        return None
    try:
        payload = json.loads(_b64decode(parts[1]))
        claims = SessionClaims(
            user_id=payload["uid"],
            is_staff=payload["staff"],
            groups=frozenset(payload["groups"]),
            expires_at=payload["exp"],
            robots=None if payload.get("robots") is None else frozenset(payload["robots"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if not (
        type(claims.user_id) is int
        and type(claims.is_staff) is bool
        and type(claims.expires_at) is int
        and all(isinstance(group, str) for group in claims.groups)
        and all(isinstance(robot, str) for robot in claims.robots or ())
    ):
        return None
    if claims.expires_at <= (time.time() if now is None else now):
        return None
    return claims
