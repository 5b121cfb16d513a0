"""The profile page's "My robots": each robot's latest state, and its trail on a map.

The server renders both (enough with JavaScript off); my-robots.js then follows the readings
live from GET /api/telemetry/live, which the croody_api cookie authenticates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cms.robots.models import Robot
from cms.robots.robot_map import RobotMap, build_map
from cms.robots.robot_telemetry import (
    LIVE_URL,
    STATUS_LABELS,
    TRAIL_GAP,
    TRAIL_POINTS,
    RobotState,
    TelemetryUnavailable,
    positions,
)


@dataclass(frozen=True)
class RobotRow:
    robot: Robot
    state: RobotState | None
    colour: int


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
        trails,
    )
    # One robot: the stream carries only its readings. Several: every readable robot's
    # (the API filters by one robot at most) and the script skips the ones not drawn here.
    live_url = f"{LIVE_URL}?robot={robot_ids[0]}" if len(robot_ids) == 1 else LIVE_URL
    return {
        "my_robots": {
            "rows": [
                RobotRow(robot, states.get(robot.robot_id), track.colour)
                for robot, track in zip(robots, robot_map.tracks, strict=True)
            ],
            "map": robot_map,
            "live_url": live_url,
            "trail_points": TRAIL_POINTS,
            "trail_gap_ms": int(TRAIL_GAP.total_seconds() * 1000),
            "status_labels": [(status, str(label)) for status, label in STATUS_LABELS.items()],
            "unavailable": unavailable,
        }
    }
