"""The `croody_api` cookie: a short-lived signed token telling the APIs who is signed in.

Standard library only, so the FastAPI services verify what the CMS issues without Django.

The CMS (`cms.accounts.middleware`) sets it for a signed-in user on every request that needs a
fresh one: HttpOnly, SameSite=Lax, path `/api/`, Secure in production; it is deleted on sign-out.
The services (`apis.common.auth`) read it from requests on the same origin.

Token: ``v1.<payload>.<signature>``, both parts base64url without padding; the payload is the
JSON object ``{"uid": int, "staff": bool, "groups": [str], "exp": unix seconds}`` and the
signature HMAC-SHA256 over ``v1.<payload>`` with `API_SESSION_SECRET`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

COOKIE_NAME = "croody_api"
COOKIE_PATH = "/api/"
TOKEN_TTL_SECONDS = 300
# The middleware re-issues a token once it is this old, so it never expires under an active user.
REFRESH_AFTER_SECONDS = 60
SECRET_FILE = "api-session-secret"  # noqa: S105  (a file name, not a secret)
MIN_SECRET_LENGTH = 32
MAX_TOKEN_LENGTH = 4096
_VERSION = "v1"
_REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SessionClaims:
    user_id: int
    is_staff: bool
    groups: frozenset[str]
    expires_at: int


def var_dir() -> Path:
    return Path(os.environ.get("CROODY_VAR_DIR") or _REPO_ROOT / "var")


def load_secret(directory: Path | None = None) -> str:
    """`API_SESSION_SECRET`, else one random secret kept in <var>/api-session-secret (dev).

    The CMS and the services of one checkout share the file, so they agree without set-up.
    Production settings refuse to start without the variable instead.
    """
    configured = os.environ.get("API_SESSION_SECRET", "").strip()
    if configured:
        return configured
    path = (directory or var_dir()) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: when several processes start at once, exactly one writes the secret.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(descriptor, "w") as file:
                file.write(secrets.token_urlsafe(48))
    for _attempt in range(50):  # another process may be between creating and writing it
        secret = path.read_text().strip()
        if secret:
            return secret
        time.sleep(0.02)
    raise RuntimeError(f"{path} is empty: delete it or set API_SESSION_SECRET")


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
) -> str:
    issued = int(time.time() if now is None else now)
    payload = {"uid": user_id, "staff": is_staff, "groups": sorted(groups), "exp": issued + ttl}
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
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        return None
    if not (
        type(claims.user_id) is int
        and type(claims.is_staff) is bool
        and type(claims.expires_at) is int
        and all(isinstance(group, str) for group in claims.groups)
    ):
        return None
    if claims.expires_at <= (time.time() if now is None else now):
        return None
    return claims
