"""Who is calling: API keys and the CMS session cookie, scopes and the per-principal limit.

Credentials, in this order:

- ``Authorization: Bearer crd_…`` or ``X-API-Key: crd_…``: a key issued by cms/accounts,
  checked with cms/accounts/keys.py against the CMS database (cached up to 30 s);
- the ``croody_api`` cookie the CMS sets for its signed-in users (cms/accounts/api_session.py):
  ``telemetry:read`` for their own robots, every scope for staff, ``ids:analyst`` for members of
  the analysts' group.

Use ``principal: Annotated[Principal, Depends(require_scopes("telemetry:read"))]`` in a
route. A key that
is unknown, malformed or revoked gets the same 401, so answers never reveal whether it exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from apis.common.accounts import KeyRecord, accounts
from apis.common.errors import error_responses
from apis.common.ratelimit import RateLimiter
from cms.accounts import api_session, keys

UNAUTHORIZED_MESSAGE = (
    "A valid API key (Authorization: Bearer crd_… or X-API-Key) or a signed-in session is required."
)
# For routes' `responses=`: what require_scopes may answer.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(401, 403, 429)

_bearer = HTTPBearer(auto_error=False, description="An API key: `Bearer crd_…`.")
_api_key_header = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An API key, instead of Authorization."
)
_session_cookie = APIKeyCookie(
    name=api_session.COOKIE_NAME,
    auto_error=False,
    description="Set by the site for signed-in users (same origin).",
)


@dataclass(frozen=True)
class Principal:
    user_id: int
    is_staff: bool
    groups: frozenset[str]
    scopes: frozenset[str]
    robot_id: str | None = None  # set for keys bound to a robot
    key_prefix: str | None = None  # set when authenticated by key

    @property
    def source(self) -> str:
        """Who to name in logs and rate limits: ``key:<prefix>`` or ``user:<id>``."""
        return f"key:{self.key_prefix}" if self.key_prefix else f"user:{self.user_id}"

    def has_any(self, *scopes: str) -> bool:
        return not scopes or any(scope in self.scopes for scope in scopes)


@lru_cache
def session_secret() -> str:
    return api_session.load_secret()


def session_scopes(is_staff: bool, groups: frozenset[str]) -> frozenset[str]:
    if is_staff:
        return frozenset(keys.SCOPES)
    scopes = {keys.SCOPE_TELEMETRY_READ}
    if keys.ANALYST_GROUP in groups:
        scopes.add(keys.SCOPE_IDS_ANALYST)
    return frozenset(scopes)


def _unauthorized() -> HTTPException:
    return HTTPException(401, UNAUTHORIZED_MESSAGE, headers={"WWW-Authenticate": "Bearer"})


async def _key_record(prefix: str) -> tuple[KeyRecord | None, bool]:
    """The key's row and whether it was just read from the database."""
    found, record = accounts.cached_key(prefix)
    if found:
        return record, False
    return await run_in_threadpool(accounts.load_key, prefix), True


async def principal_from_key(presented: str) -> Principal | None:
    parsed = keys.parse_key(presented)
    if parsed is None:
        return None
    record, fresh = await _key_record(parsed.prefix)
    if (
        record is None
        or not keys.verify_key(presented, record.key_hash, revoked=record.revoked)
        or not record.user_active
    ):
        return None
    if fresh:  # at most once per cache period per process
        await run_in_threadpool(accounts.touch_key, record.id)
    try:
        scopes = frozenset(keys.parse_scopes(record.scopes))
    except ValueError:
        scopes = frozenset()
    return Principal(
        user_id=record.user_id,
        is_staff=record.user_is_staff,
        groups=record.user_groups,
        scopes=scopes,
        robot_id=record.robot_id,
        key_prefix=parsed.prefix,
    )


def principal_from_session(token: str) -> Principal | None:
    claims = api_session.verify_token(token, session_secret())
    if claims is None:
        return None
    return Principal(
        user_id=claims.user_id,
        is_staff=claims.is_staff,
        groups=claims.groups,
        scopes=session_scopes(claims.is_staff, claims.groups),
    )


async def authenticate(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key_header)],
    session: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """The caller, or 401. A presented key is never passed over for the cookie."""
    if request.headers.get("authorization") is not None:
        if bearer is None:  # another scheme, or "Bearer" without a value
            raise _unauthorized()
        principal = await principal_from_key(bearer.credentials)
    elif api_key is not None:
        principal = await principal_from_key(api_key)
    elif session:
        principal = principal_from_session(session)
    else:
        principal = None
    if principal is None:
        raise _unauthorized()
    return principal


def require_scopes(*scopes: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency returning the caller's Principal after the rate limit and scope checks.

    401 without a valid credential; 429 with Retry-After over the service's rate limit;
    403 when the caller holds none of `scopes` (no scopes: any authenticated caller).
    """

    async def dependency(
        request: Request, principal: Annotated[Principal, Depends(authenticate)]
    ) -> Principal:
        limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
        if limiter is not None:
            retry_after = await limiter.retry_after(principal.source)
            if retry_after is not None:
                raise HTTPException(
                    429,
                    f"Too many requests; retry in {retry_after} s.",
                    headers={"Retry-After": str(retry_after)},
                )
        if not principal.has_any(*scopes):
            raise HTTPException(403, f"This needs the scope {' or '.join(scopes)}.")
        return principal

    return dependency
