"""GET /api/telemetry/stats: aggregate figures of the whole fleet, for anyone.

Public on purpose: four counts and a time, no robot id, owner or position, so the site's home
page and the admin dashboard can state real figures to visitors who have no account. Because
no credential is asked for (so no per-principal rate limit applies), the figures are computed
at most once per STATS_TTL_SECONDS per process and served from memory in between: hammering
the endpoint costs a dictionary lookup, never a query.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, Select, func, select
from starlette.concurrency import run_in_threadpool

from apis.common.errors import error_responses
from apis.telemetry.schemas import format_ms, now_ms
from apis.telemetry.tables import latest, readings
from croody_core.fleet import ONLINE_WITHIN_MS

router = APIRouter(tags=["telemetry"])

STATS_TTL_SECONDS = 10.0
HOUR_MS = 3600 * 1000
DAY_MS = 24 * HOUR_MS


class FleetStats(BaseModel):
    robots_online: int = Field(
        description=f"Robots whose latest reading arrived in the last {ONLINE_WITHIN_MS // 1000} s."
    )
    robots_total: int = Field(description="Robots that have sent at least one reading.")
    readings_last_hour: int = Field(description="Readings timed (`ts`) in the last hour.")
    readings_today: int = Field(description="Readings timed (`ts`) since 00:00 UTC today.")
    as_of: str = Field(description="When these figures were counted (RFC 3339, UTC).")


def stats_queries(now: int) -> tuple[Select[int, int], Select[int, int]]:
    """The counts of robots (total, online) and of readings (last hour, today) at `now`."""
    hour_ago = now - HOUR_MS
    midnight = now - now % DAY_MS
    robots = select(
        func.count().label("total"),
        func.count().filter(latest.c.received_at >= now - ONLINE_WITHIN_MS).label("online"),
    ).select_from(latest)
    recent = select(
        func.count().filter(readings.c.ts >= hour_ago).label("last_hour"),
        func.count().filter(readings.c.ts >= midnight).label("today"),
    ).where(readings.c.ts >= min(hour_ago, midnight))
    return robots, recent


def fleet_stats(engine: Engine, now: int) -> dict[str, Any]:
    """The figures at `now` (epoch ms), in two indexed queries.

    - `telemetry_latest` holds one row per robot, so counting it (all, and those received
      within ONLINE_WITHIN) reads as many rows as there are robots, not readings.
    - The readings are counted on `ts` alone, from the earlier of "an hour ago" and "midnight
      UTC": a range scan of ix_telemetry_readings_ts that never touches the table rows (an
      index-only scan on PostgreSQL once vacuum has set the visibility map; a COVERING INDEX
      search on SQLite). Its cost grows with the readings of the last day at most, never with
      the whole history kept for retention. `ts` rather than `received_at`: the latter has no
      index, and one on it would cost every ingest; readings are refused more than 5 minutes
      ahead of the server's clock, so `ts` is close to arrival.
    """
    robots, recent = stats_queries(now)
    with engine.connect() as connection:
        fleet = connection.execute(robots).one()
        counted = connection.execute(recent).one()
    return {
        "robots_online": fleet.online,
        "robots_total": fleet.total,
        "readings_last_hour": counted.last_hour,
        "readings_today": counted.today,
        "as_of": format_ms(now),
    }


@dataclass(frozen=True)
class _Cached:
    figures: dict[str, Any]
    expires: float


class StatsCache:
    """The last figures counted, per process; one thread counts while the others wait."""

    def __init__(self, ttl: float = STATS_TTL_SECONDS) -> None:
        self.ttl = ttl
        self._cached: _Cached | None = None
        self._lock = threading.Lock()

    def get(self, engine: Engine) -> tuple[dict[str, Any], float]:
        """The figures and how many more seconds they stay fresh."""
        with self._lock:
            cached = self._cached
            if cached is None or cached.expires <= time.monotonic():
                cached = _Cached(fleet_stats(engine, now_ms()), time.monotonic() + self.ttl)
                self._cached = cached
            return cached.figures, cached.expires - time.monotonic()


def _cache(request: Request) -> StatsCache:
    state = request.app.state
    if not hasattr(state, "fleet_stats"):
        state.fleet_stats = StatsCache()
    cache: StatsCache = state.fleet_stats
    return cache


@router.get(
    "/stats",
    response_model=FleetStats,
    summary="Fleet figures (public)",
    description=(
        "How many robots are online and how many readings arrived lately, over the whole "
        "fleet: counts only, no robot ids, so no credential is needed. Counted at most every "
        f"{STATS_TTL_SECONDS:g} s (see `as_of`)."
    ),
    responses=error_responses(503),
)
async def stats(request: Request, response: Response) -> dict[str, Any]:
    figures, fresh_for = await run_in_threadpool(_cache(request).get, request.app.state.engine)
    response.headers["Cache-Control"] = f"public, max-age={max(0, int(fresh_for))}"
    return figures
