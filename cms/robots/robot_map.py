"""The My robots map: robots' trails and positions as SVG geometry, north up, in metres.

The server draws the first picture (it is all there is with JavaScript off);
cms/robots/static/robots/my-robots.js redraws it the same way as readings arrive, so the
two must keep these rules: SVG y is minus the robot's y, the view is ASPECT wide for 1 high,
at least MIN_WIDTH metres wide, with PADDING around the points, the marker radius is
MARKER_SCALE of the view's width, the start marker's half side START_SCALE of it; the grid
spacing is the smallest 1, 2 or 5 × 10ⁿ metres that leaves at most GRID_SQUARES squares
across, and the scale bar, one grid square long, sits SCALE_MARGIN of the width from the
map's bottom start corner.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

ASPECT = 1.6
MIN_WIDTH = 20.0  # metres: a robot standing still is not drawn as a blown-up dot
PADDING = 0.08  # of the width, on each side
MARKER_SCALE = 0.012
START_SCALE = 0.014  # half the side of the dock/start square, of the width
HEADING_LENGTH = 3.0  # marker radii
COLOURS = 6  # robot-colour-0 … robot-colour-5 in my-robots.css
GRID_SQUARES = 8  # at most this many across, so 3.2 to 8 of them: a handful
NICE_STEPS = (1, 2, 5)
SCALE_MARGIN = 0.03  # of the width, between the scale bar and the map's side


@dataclass(frozen=True)
class Marker:
    """SVG attribute values, already text: templates would localise numbers ("12,5")."""

    cx: str
    cy: str
    heading_x: str  # end of the heading tick
    heading_y: str


@dataclass(frozen=True)
class StartMarker:
    """The square where the trail starts: the robot's dock when the trail passes it."""

    x: str  # top left corner and side, SVG attribute text
    y: str
    side: str
    index: int  # of its point in the trail
    dock: bool  # a reading at the dock (docked or charging), not just the trail's first


@dataclass(frozen=True)
class Track:
    robot_id: str
    name: str
    colour: int
    points: str  # the polyline's `points`
    marker: Marker | None
    start: StartMarker | None


@dataclass(frozen=True)
class Grid:
    """Grid lines every `step` metres across the whole view, and the scale bar."""

    step: float
    path: str  # the `d` of one <path> drawing every line
    # The scale bar, one `step` long, as percentages of the map's width ("3%", for SVG
    # lengths of the plot): from `bar_start` to `bar_end`, its label centred on `bar_middle`.
    bar_start: str
    bar_end: str
    bar_middle: str


@dataclass(frozen=True)
class RobotMap:
    view_box: tuple[float, float, float, float]  # min x, min y, width, height
    radius: float
    tracks: list[Track]
    grid: Grid

    @property
    def view_box_attr(self) -> str:
        return " ".join(_number(value) for value in self.view_box)

    @property
    def radius_attr(self) -> str:
        return _number(self.radius)

    @property
    def has_positions(self) -> bool:
        """Whether any robot has a reading to show (else the map would be empty)."""
        return any(track.marker for track in self.tracks)


def _number(value: float) -> str:
    """An SVG number: at most 2 decimals, never "-0"."""
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


def grid_step(width: float) -> float:
    """The grid's spacing for a view `width` metres wide: the smallest 1, 2 or 5 × 10ⁿ metres
    with at most GRID_SQUARES squares across."""
    if not (math.isfinite(width) and width > 0):
        return 1.0
    wanted = width / GRID_SQUARES
    exponent = math.floor(math.log10(wanted))
    for power in (exponent, exponent + 1):
        for factor in NICE_STEPS:
            # round(): 10 ** -1 * 2 is 0.2000…04, and the labels show the step as it is.
            step = round(factor * 10.0**power, max(0, -power))
            if step >= wanted * (1 - 1e-9):  # 20 m wide, 2.5 m wanted: 5 m, not 2.5000…01
                return step
    return 10.0 ** (exponent + 1)  # not reached: 10ⁿ⁺¹ ≥ wanted


def grid_lines(start: float, length: float, step: float) -> list[float]:
    """The multiples of `step` within [start, start + length]."""
    first, last = math.ceil(start / step), math.floor((start + length) / step)
    return [index * step for index in range(first, last + 1)]


def build_grid(box: tuple[float, float, float, float], rtl: bool = False) -> Grid:
    """The grid lines of this view and its scale bar, in the bottom start corner (bottom right
    for right-to-left languages)."""
    left, top, width, height = box
    step = grid_step(width)
    vertical = [
        f"M{_number(x)} {_number(top)}V{_number(top + height)}"
        for x in grid_lines(left, width, step)
    ]
    horizontal = [
        f"M{_number(left)} {_number(y)}H{_number(left + width)}"
        for y in grid_lines(top, height, step)
    ]
    fraction = step / width * 100
    start = 100 - SCALE_MARGIN * 100 - fraction if rtl else SCALE_MARGIN * 100
    return Grid(
        step=step,
        path="".join(vertical + horizontal),
        bar_start=f"{_number(start)}%",
        bar_end=f"{_number(start + fraction)}%",
        bar_middle=f"{_number(start + fraction / 2)}%",
    )


def start_index(docked: Sequence[bool]) -> int | None:
    """Which point of a trail the start marker stands on: the last one at the dock, else the
    first; `docked` says of each point, oldest first, whether the robot was at its dock."""
    for index in range(len(docked) - 1, -1, -1):
        if docked[index]:
            return index
    return 0 if docked else None


def build_map(
    robots: Sequence[tuple[str, str]],
    positions: dict[str, tuple[float, float, float]],
    trails: dict[str, list[tuple[float, float]]],
    docked: dict[str, list[bool]] | None = None,
    rtl: bool = False,
) -> RobotMap:
    """robots: (robot id, name) in table order; positions: robot id -> (x, y, heading) of the
    latest reading; trails: robot id -> earlier (x, y), oldest first; docked: robot id ->
    whether the robot was at its dock at each point of its trail (none: nowhere)."""
    docked = docked or {}
    svg_trails = {
        robot_id: [(x, -y) for x, y in trails.get(robot_id, [])] for robot_id, _name in robots
    }
    every_point = [point for trail in svg_trails.values() for point in trail]
    every_point += [(x, -y) for x, y, _heading in positions.values()]
    box = view_box(every_point)
    radius = box[2] * MARKER_SCALE
    half_side = box[2] * START_SCALE
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
        trail = svg_trails[robot_id]
        at_dock = docked.get(robot_id) or [False] * len(trail)
        start = None
        first = start_index(at_dock[: len(trail)])
        if first is not None:
            start_x, start_y = trail[first]
            start = StartMarker(
                x=_number(start_x - half_side),
                y=_number(start_y - half_side),
                side=_number(2 * half_side),
                index=first,
                dock=at_dock[first],
            )
        tracks.append(
            Track(
                robot_id=robot_id,
                name=name,
                colour=index % COLOURS,
                points=" ".join(f"{_number(x)},{_number(y)}" for x, y in trail),
                marker=marker,
                start=start,
            )
        )
    return RobotMap(view_box=box, radius=radius, tracks=tracks, grid=build_grid(box, rtl))
