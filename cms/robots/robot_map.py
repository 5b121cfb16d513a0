"""The My robots map: robots' trails and positions as SVG geometry, north up, in metres.

The server draws the first picture (it is all there is with JavaScript off);
cms/robots/static/robots/my-robots.js redraws it the same way as readings arrive, so the
two must keep these rules: SVG y is minus the robot's y, the view is ASPECT wide for 1 high,
at least MIN_WIDTH metres wide, with PADDING around the points, and the marker radius is
MARKER_SCALE of the view's width.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ASPECT = 1.6
MIN_WIDTH = 20.0  # metres: a robot standing still is not drawn as a blown-up dot
PADDING = 0.08  # of the width, on each side
MARKER_SCALE = 0.012
HEADING_LENGTH = 3.0  # marker radii
COLOURS = 6  # robot-colour-0 … robot-colour-5 in my-robots.css


@dataclass(frozen=True)
class Marker:
    """SVG attribute values, already text: templates would localise numbers ("12,5")."""

    cx: str
    cy: str
    heading_x: str  # end of the heading tick
    heading_y: str


@dataclass(frozen=True)
class Track:
    robot_id: str
    name: str
    colour: int
    points: str  # the polyline's `points`
    marker: Marker | None


@dataclass(frozen=True)
class RobotMap:
    view_box: tuple[float, float, float, float]  # min x, min y, width, height
    radius: float
    tracks: list[Track]

    @property
    def view_box_attr(self) -> str:
        return " ".join(_number(value) for value in self.view_box)

    @property
    def radius_attr(self) -> str:
        return _number(self.radius)


def _number(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def view_box(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The frame around these SVG points (x, -y), ASPECT to 1, centred on them."""
    xs, ys = [], []
    for x, y in points:
        xs.append(x)
        ys.append(y)
    if not xs:
        xs, ys = [0.0], [0.0]
    span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    width = max(span_x, span_y * ASPECT, MIN_WIDTH) / (1 - 2 * PADDING)
    height = width / ASPECT
    centre_x, centre_y = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    return (centre_x - width / 2, centre_y - height / 2, width, height)


def build_map(
    robots: Sequence[tuple[str, str]],
    positions: dict[str, tuple[float, float, float]],
    trails: dict[str, list[tuple[float, float]]],
) -> RobotMap:
    """robots: (robot id, name) in table order; positions: robot id -> (x, y, heading) of the
    latest reading; trails: robot id -> earlier (x, y), oldest first."""
    svg_trails = {
        robot_id: [(x, -y) for x, y in trails.get(robot_id, [])] for robot_id, _name in robots
    }
    every_point = [point for trail in svg_trails.values() for point in trail]
    every_point += [(x, -y) for x, y, _heading in positions.values()]
    box = view_box(every_point)
    radius = box[2] * MARKER_SCALE
    tracks = []
    for index, (robot_id, name) in enumerate(robots):
        marker = None
        if robot_id in positions:
            x, y, heading = positions[robot_id]
            length = radius * HEADING_LENGTH
            marker = Marker(
                cx=_number(x),
                cy=_number(-y),
                heading_x=_number(x + length * math.sin(math.radians(heading))),
                heading_y=_number(-y - length * math.cos(math.radians(heading))),
            )
        tracks.append(
            Track(
                robot_id=robot_id,
                name=name,
                colour=index % COLOURS,
                points=" ".join(f"{_number(x)},{_number(y)}" for x, y in svg_trails[robot_id]),
                marker=marker,
            )
        )
    return RobotMap(view_box=box, radius=radius, tracks=tracks)
