"""The profile page's "My robots": each robot's latest state, and its trail on a map.

The server renders both (enough with JavaScript off); my-robots.js then follows the readings
live from GET /api/telemetry/live, which the croody_api cookie authenticates, shows every time
and number in the page's locale (Intl) and replays the last 30 minutes from
GET /api/telemetry/query.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone, translation

from cms.robots.models import Robot
from cms.robots.robot_map import RobotMap, build_map
from cms.robots.robot_telemetry import (
    DOCK_STATUSES,
    DOCS_URL,
    INGEST_URL,
    LIVE_URL,
    QUERY_URL,
    STATUS_LABELS,
    TRAIL_GAP,
    TRAIL_POINTS,
    TRAIL_WINDOW,
    RobotState,
    TelemetryUnavailable,
    positions,
)


@dataclass(frozen=True)
class RobotRow:
    robot: Robot
    state: RobotState | None
    colour: int


@dataclass(frozen=True)
class FirstReading:
    """What the empty map tells an owner whose robots never sent a reading: how to send one."""

    robot_id: str
    ingest_url: str  # absolute: the example is run elsewhere
    docs_url: str
    example: str  # a curl command posting a valid first reading of that robot


def first_reading(robot: Robot) -> FirstReading:
    ingest_url = f"{settings.SITE_URL}{INGEST_URL}"
    reading = {
        "robot_id": robot.robot_id,
        # Now, to the second: the example works as it is (not in the future, not before 2000).
        "ts": timezone.now().replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "x": 0.0,
        "y": 0.0,
        "heading": 0.0,
        "speed": 0.0,
        "battery": 100.0,
        "status": "docked",
    }
    example = (
        'curl -H "Authorization: Bearer $ROBOT_KEY" -H "Content-Type: application/json" \\\n'
        f"  -d '{json.dumps(reading, separators=(',', ':'))}' \\\n"
        f"  {ingest_url}"
    )
    return FirstReading(robot.robot_id, ingest_url, DOCS_URL, example)


def my_robots_context(user: Any) -> dict[str, Any]:
    """Template context for robots/includes/my_robots.html (nothing when no robots)."""
    robots = list(Robot.objects.owned_by(user).order_by("name"))
    if not robots:
        return {"my_robots": None}
    robot_ids = [robot.robot_id for robot in robots]
    unavailable = False
    try:
        states, trails = positions(user, robot_ids)
    except TelemetryUnavailable:
        states, trails, unavailable = {}, {}, True
    robot_map: RobotMap = build_map(
        [(robot.robot_id, robot.name) for robot in robots],
        {robot_id: (s.x, s.y, s.heading) for robot_id, s in states.items()},
        {robot_id: trail.points for robot_id, trail in trails.items()},
        {robot_id: trail.docked for robot_id, trail in trails.items()},
        rtl=translation.get_language_bidi(),
    )
    # One robot: the stream carries only its readings. Several: every readable robot's
    # (the API filters by one robot at most) and the script skips the ones not drawn here.
    live_url = f"{LIVE_URL}?robot={robot_ids[0]}" if len(robot_ids) == 1 else LIVE_URL
    silent = [robot for robot in robots if robot.robot_id not in states]
    return {
        "my_robots": {
            "rows": [
                RobotRow(robot, states.get(robot.robot_id), track.colour)
                for robot, track in zip(robots, robot_map.tracks, strict=True)
            ],
            "map": robot_map,
            "live_url": live_url,
            "query_url": QUERY_URL,
            "trail_points": TRAIL_POINTS,
            "trail_gap_ms": int(TRAIL_GAP.total_seconds() * 1000),
            "replay_ms": int(TRAIL_WINDOW.total_seconds() * 1000),
            "dock_statuses": " ".join(DOCK_STATUSES),
            "status_labels": [(status, str(label)) for status, label in STATUS_LABELS.items()],
            "unavailable": unavailable,
            # Before the first reading of any robot: how to send it, instead of an empty map.
            "first_reading": (
                first_reading(silent[0])
                if not unavailable and not robot_map.has_positions
                else None
            ),
        }
    }
