"""Who is calling: API keys and the CMS session token, scopes and the per-principal limit.

Credentials, in this order:

- ``Authorization: Bearer crd_…`` or ``X-API-Key: crd_…``: a key the CMS issued, verified
  against the record the CMS gives for it (apis.common.key_directory, fresh for 20 s);
- the ``croody_api`` token the CMS signs for its signed-in users (croody_core.session), as a
  cookie: the browser's on the same origin, or one the CMS mints to read for a user.
  ``telemetry:read`` for their own robots, every scope for staff, ``ids:analyst`` for members
  of the analysts' group (croody_core.scopes.session_scopes).

Use ``principal: Annotated[Principal, Depends(require_scopes("telemetry:read"))]`` in a
route. A key that
is unknown, malformed or revoked gets the same 401, so answers never reveal whether it exists;
a key that cannot be checked because the CMS is unreachable and was never seen gets 503.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any, cast

from fastapi import Depends, HTTPException, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from apis.common.errors import error_responses
from apis.common.key_directory import DirectoryUnavailable, KeyDirectory
from apis.common.ratelimit import RateLimiter
from croody_core import keys, scopes
from croody_core import session as api_session

UNAUTHORIZED_MESSAGE = (
    "A valid API key (Authorization: Bearer crd_… or X-API-Key) or a signed-in session is required."
)
# For routes' `responses=`: what require_scopes may answer.
AUTH_RESPONSES: dict[int | str, dict[str, Any]] = error_responses(401, 403, 429, 503)

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
    # The owner's robots when known (keys, tokens the CMS mints); None: ask the CMS.
    owner_robots: frozenset[str] | None = None

    @property
    def source(self) -> str:
        """Who to name in logs and rate limits: ``key:<prefix>`` or ``user:<id>``."""
        return f"key:{self.key_prefix}" if self.key_prefix else f"user:{self.user_id}"

    def has_any(self, *scopes: str) -> bool:
        return not scopes or any(scope in self.scopes for scope in scopes)


def _unauthorized() -> HTTPException:
    return HTTPException(401, UNAUTHORIZED_MESSAGE, headers={"WWW-Authenticate": "Bearer"})


def directory(request: Request) -> KeyDirectory:
    return cast(KeyDirectory, request.app.state.keys)


async def principal_from_key(presented: str, keys_of: KeyDirectory) -> Principal | None:
    """The key's holder; None for a malformed, unknown or revoked key or an inactive owner.

    Raises HTTPException 503 when the CMS cannot be asked and the key was never seen.
    """
    parsed = keys.parse_key(presented)
    if parsed is None:
        return None
    try:
        record = await keys_of.key(parsed.prefix)
    except DirectoryUnavailable:
        raise HTTPException(
            503,
            "API keys cannot be checked right now; retry shortly.",
            headers={"Retry-After": "5"},
        ) from None
    if record is None or not record.admits(presented):
        return None
    return Principal(
        user_id=record.owner.user_id,
        is_staff=record.owner.staff,
        groups=record.owner.groups,
        scopes=frozenset(record.scopes)
        & scopes.grantable_scopes(record.owner.staff, record.owner.groups),
        robot_id=record.robot_id,
        key_prefix=parsed.prefix,
        owner_robots=record.owner.robots,
    )


def principal_from_session(token: str, secret: str) -> Principal | None:
    claims = api_session.verify_token(token, secret)
    if claims is None:
        return None
    return Principal(
        user_id=claims.user_id,
        is_staff=claims.is_staff,
        groups=claims.groups,
        scopes=scopes.session_scopes(claims.is_staff, claims.groups),
        owner_robots=claims.robots,
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
        principal = await principal_from_key(bearer.credentials, directory(request))
    elif api_key is not None:
        principal = await principal_from_key(api_key, directory(request))
    elif session:
        principal = principal_from_session(session, request.app.state.settings.session_secret)
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
        # For the security event of a refusal (apis.common.security_events).
        request.state.principal, request.state.required_scopes = principal, list(scopes)
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
