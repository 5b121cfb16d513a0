"""Which robots a caller may read or post for."""

from __future__ import annotations

from fastapi import HTTPException, Request

from apis.common.auth import Principal, directory
from apis.common.key_directory import DirectoryUnavailable


async def readable_robots(request: Request, principal: Principal) -> frozenset[str] | None:
    """The robot ids the caller may read; None means every robot (staff).

    A key bound to a robot reads only that robot; otherwise a user reads the robots they own,
    as the key's record or (for a signed-in session) the CMS says.
    """
    if principal.robot_id is not None:
        return frozenset({principal.robot_id})
    if principal.is_staff:
        return None
    return await owned_robots(request, principal)


async def owned_robots(request: Request, principal: Principal) -> frozenset[str]:
    """The robot ids the caller's user owns (staff included: their own only)."""
    if principal.owner_robots is not None:
        return principal.owner_robots
    try:
        owner = await directory(request).owner(principal.user_id)
    except DirectoryUnavailable:
        raise HTTPException(
            503,
            "Robot ownership cannot be checked right now; retry shortly.",
            headers={"Retry-After": "5"},
        ) from None
    return owner.robots if owner is not None and owner.active else frozenset()


def narrow(allowed: frozenset[str] | None, robot: str | None) -> frozenset[str] | None:
    """The robots to show: all readable ones, or the one asked for when the caller may read it.

    403 for a robot the caller may not read, whether or not it exists.
    """
    if robot is None:
        return allowed
    if allowed is not None and robot not in allowed:
        raise HTTPException(403, f"You may not read robot {robot!r}.")
    return frozenset({robot})
