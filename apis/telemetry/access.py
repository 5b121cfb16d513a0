"""Which robots a caller may read or post for."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from apis.common.accounts import accounts
from apis.common.auth import Principal


async def readable_robots(principal: Principal) -> frozenset[str] | None:
    """The robot ids the caller may read; None means every robot (staff).

    A key bound to a robot reads only that robot; otherwise a user reads the robots they own.
    """
    if principal.robot_id is not None:
        return frozenset({principal.robot_id})
    if principal.is_staff:
        return None
    found, robots = accounts.robots.get(principal.user_id)
    if found and robots is not None:
        return robots
    return await run_in_threadpool(accounts.robots_of, principal.user_id)


def narrow(allowed: frozenset[str] | None, robot: str | None) -> frozenset[str] | None:
    """The robots to show: all readable ones, or the one asked for when the caller may read it.

    403 for a robot the caller may not read, whether or not it exists.
    """
    if robot is None:
        return allowed
    if allowed is not None and robot not in allowed:
        raise HTTPException(403, f"You may not read robot {robot!r}.")
    return frozenset({robot})
