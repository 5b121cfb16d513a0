"""Robots' readings as the site shows them (My robots, the staff fleet view).

Read straight from the telemetry database with the service's own tables and queries, as the
IDS admin reads its store: pages render without a round trip through the API, with
JavaScript off too. Only reads; the service owns the data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from apis.common.database import default_sqlite_url, make_engine
from apis.telemetry import store
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.settings import get_settings
from apis.telemetry.tables import readings

LIVE_URL = "/api/telemetry/live"
TRAIL_POINTS = 120  # positions drawn per robot
TRAIL_WINDOW = timedelta(minutes=30)  # before the robot's latest reading
# A longer silence ends a trail: a robot switched off here and on there did not drive between.
TRAIL_GAP = timedelta(minutes=1)
ONLINE_WITHIN = timedelta(minutes=2)  # a robot heard from this recently is "online"
LOW_BATTERY = 25.0  # percent: flagged in the fleet view

STATUS_LABELS = {
    "idle": _("Idle"),
    "moving": _("Moving"),
    "charging": _("Charging"),
    "docked": _("Docked"),
    "error": _("Error"),
    "offline": _("Offline"),
}
STATUS_BADGES = {"moving": "success", "error": "danger", "offline": "warning"}


class TelemetryUnavailable(Exception):
    """The telemetry database could not be read."""


@dataclass(frozen=True)
class RobotState:
    """A robot's latest reading."""

    robot_id: str
    ts: datetime
    received_at: datetime
    x: float
    y: float
    heading: float
    speed: float
    battery: float
    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))

    @property
    def status_badge(self) -> str:
        return STATUS_BADGES.get(self.status, "")

    @property
    def online(self) -> bool:
        return timezone.now() - self.received_at <= ONLINE_WITHIN


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def database_url() -> str:
    """TELEMETRY_DATABASE_URL; unset, the SQLite file in the CMS's VAR_DIR (the service's own
    file in development, a throw-away one under the test settings)."""
    configured = get_settings().database_url
    if configured != default_sqlite_url("telemetry"):
        return configured
    return f"sqlite:///{Path(settings.VAR_DIR) / 'telemetry.sqlite3'}"


@lru_cache(maxsize=1)
def telemetry_engine() -> Engine:
    """One engine per process, its schema brought up to date once (a page may be opened
    before the telemetry service first started)."""
    engine = make_engine(database_url())
    MIGRATIONS.upgrade(engine)
    return engine


def latest_states(robot_ids: Iterable[str] | None) -> dict[str, RobotState]:
    """Each robot's latest reading, by robot id (None: every robot). Robots never heard
    from are absent."""
    try:
        rows = store.latest_readings(telemetry_engine(), robot_ids)
    except SQLAlchemyError as error:
        raise TelemetryUnavailable from error
    return {
        row["robot_id"]: RobotState(
            robot_id=row["robot_id"],
            ts=_when(row["ts"]),
            received_at=_when(row["received_at"]),
            x=row["x"],
            y=row["y"],
            heading=row["heading"],
            speed=row["speed"],
            battery=row["battery"],
            status=row["status"],
        )
        for row in rows
    }


def recent_trails(states: dict[str, RobotState]) -> dict[str, list[tuple[float, float]]]:
    """Up to TRAIL_POINTS positions of each robot, oldest first, from the TRAIL_WINDOW before
    its latest reading and after its last silence longer than TRAIL_GAP. One indexed query per
    robot (robot_id, ts): a few robots per page."""
    window_ms = int(TRAIL_WINDOW.total_seconds() * 1000)
    gap_ms = int(TRAIL_GAP.total_seconds() * 1000)
    trails: dict[str, list[tuple[float, float]]] = {}
    try:
        with telemetry_engine().connect() as connection:
            for robot_id, state in states.items():
                latest_ms = int(state.ts.timestamp() * 1000)
                query = (
                    select(readings.c.ts, readings.c.x, readings.c.y)
                    .where(
                        readings.c.robot_id == robot_id,
                        readings.c.ts >= latest_ms - window_ms,
                        readings.c.ts <= latest_ms,
                    )
                    .order_by(readings.c.ts.desc(), readings.c.seq.desc())
                    .limit(TRAIL_POINTS)
                )
                trail, newer_ms = [], latest_ms
                for ts, x, y in connection.execute(query):
                    if newer_ms - ts > gap_ms:
                        break
                    trail.append((x, y))
                    newer_ms = ts
                trails[robot_id] = trail[::-1]
    except SQLAlchemyError as error:
        raise TelemetryUnavailable from error
    return trails


def positions(robot_ids: Sequence[str]) -> tuple[dict[str, RobotState], dict[str, list]]:
    """Latest states and trails of these robots (one owner's)."""
    if not robot_ids:
        return {}, {}
    states = latest_states(robot_ids)
    return states, recent_trails(states)
