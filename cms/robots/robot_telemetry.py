"""Robots' readings as the site shows them (My robots, the staff fleet view).

Read through the telemetry API as the signed-in user (cms.services.client), so the service's
own rules decide what they may see; the pages render on the server, with JavaScript off too.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.services import client
from cms.services.client import TELEMETRY, ServiceError, ServiceUnavailable
from croody_core.fleet import ONLINE_WITHIN  # the one definition the stats endpoint uses too

LIVE_URL = "/api/telemetry/live"
QUERY_URL = "/api/telemetry/query"  # the browser replays the trail from it
INGEST_URL = "/api/telemetry/ingest"
DOCS_URL = "/api/telemetry/docs"
TRAIL_POINTS = 120  # positions drawn per robot
TRAIL_WINDOW = timedelta(minutes=30)  # before the robot's latest reading
# A longer silence ends a trail: a robot switched off here and on there did not drive between.
TRAIL_GAP = timedelta(minutes=1)
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
NO_READINGS = "none"  # the fleet's status filter: robots never heard from
DOCK_STATUSES = ("docked", "charging")  # a reading with one of these is taken at the dock


class TelemetryUnavailable(Exception):
    """The telemetry service could not be read."""


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


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _telemetry(path: str, user: Any, **params: Any) -> Any:
    try:
        return client.get_json(TELEMETRY, f"/api/telemetry/{path}", user, params)
    except (ServiceUnavailable, ServiceError) as error:
        raise TelemetryUnavailable(str(error)) from error


def latest_states(user: Any, robot_ids: Iterable[str] | None = None) -> dict[str, RobotState]:
    """Each robot's latest reading, by robot id, of the robots `user` may read (those in
    `robot_ids` only, when given). Robots never heard from are absent."""
    wanted = None if robot_ids is None else set(robot_ids)
    rows = _telemetry("last", user)["readings"]
    return {
        row["robot_id"]: RobotState(
            robot_id=row["robot_id"],
            ts=_when(row["ts"]),
            received_at=_when(row["received_at"]),
            x=row["x"] + 0.0,  # -0.0 + 0.0 is 0.0: no "-0" on the page, even for the script
            y=row["y"] + 0.0,
            heading=row["heading"],
            speed=row["speed"],
            battery=row["battery"],
            status=row["status"],
        )
        for row in rows
        if wanted is None or row["robot_id"] in wanted
    }


@dataclass(frozen=True)
class Trail:
    """A robot's recent positions, oldest first, and whether it was at its dock at each."""

    points: list[tuple[float, float]]
    docked: list[bool]


def recent_trails(user: Any, states: dict[str, RobotState]) -> dict[str, Trail]:
    """Up to TRAIL_POINTS positions of each robot, oldest first, from the TRAIL_WINDOW before
    its latest reading and after its last silence longer than TRAIL_GAP: the newest readings
    first, one request per robot (a few robots per page)."""
    gap_ms = int(TRAIL_GAP.total_seconds() * 1000)
    trails: dict[str, Trail] = {}
    for robot_id, state in states.items():
        latest_ms = _ms(state.ts)
        rows = _telemetry(
            "query",
            user,
            robot=robot_id,
            order="desc",
            limit=TRAIL_POINTS,
            **{"from": latest_ms - int(TRAIL_WINDOW.total_seconds() * 1000), "to": latest_ms + 1},
        )["readings"]
        points: list[tuple[float, float]] = []
        docked: list[bool] = []
        newer_ms = latest_ms
        for row in rows:
            ts = _ms(_when(row["ts"]))
            if newer_ms - ts > gap_ms:
                break
            points.append((row["x"], row["y"]))
            docked.append(row["status"] in DOCK_STATUSES)
            newer_ms = ts
        trails[robot_id] = Trail(points[::-1], docked[::-1])
    return trails


def positions(
    user: Any, robot_ids: Sequence[str]
) -> tuple[dict[str, RobotState], dict[str, Trail]]:
    """Latest states and trails of these robots of `user`."""
    if not robot_ids:
        return {}, {}
    states = latest_states(user, robot_ids)
    return states, recent_trails(user, states)
