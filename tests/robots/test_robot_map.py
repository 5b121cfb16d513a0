"""The My robots map's geometry (cms/robots/robot_map.py): the metric grid, its scale bar, the
dock/start marker and SVG numbers (never "-0"). my-robots.js redraws with the same rules;
tests/e2e/test_my_robots_map.py checks it in a browser."""

from __future__ import annotations

import math
import re

import pytest

from cms.robots.robot_map import (
    GRID_SQUARES,
    MIN_WIDTH,
    PADDING,
    START_SCALE,
    build_grid,
    build_map,
    grid_lines,
    grid_step,
    start_index,
    view_box,
)


@pytest.mark.parametrize(
    ("width", "step"),
    [
        (MIN_WIDTH / (1 - 2 * PADDING), 5.0),  # the smallest map: 23.8 m wide
        (40.0, 5.0),  # exactly 8 squares
        (40.5, 10.0),  # a little wider: never 9 squares
        (100.0, 20.0),
        (119.0, 20.0),
        (1000.0, 200.0),
        (3_000.0, 500.0),
        (7.0, 1.0),
        (0.5, 0.1),
        (0.0, 1.0),  # nonsense widths still give a grid
        (math.inf, 1.0),
        (math.nan, 1.0),
    ],
)
def test_the_grid_step_is_a_round_number_of_metres(width, step):
    assert grid_step(width) == step


@pytest.mark.parametrize("width", [23.8, 31.4, 47.0, 64.0, 99.9, 250.0, 777.0, 12_345.0, 0.75])
def test_there_are_a_handful_of_grid_squares(width):
    step = grid_step(width)
    squares = width / step
    assert 3.2 <= squares <= GRID_SQUARES + 1e-9
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 9) in (1, 2, 5)


def test_grid_lines_are_the_multiples_of_the_step_in_view():
    assert grid_lines(-7.0, 20.0, 5.0) == [-5.0, 0.0, 5.0, 10.0]
    assert grid_lines(0.0, 10.0, 5.0) == [0.0, 5.0, 10.0]
    assert grid_lines(0.5, 3.0, 5.0) == []


def test_the_grid_covers_the_view_and_the_scale_bar_is_one_square_long():
    grid = build_grid((-12.5, -7.8125, 25.0, 15.625))
    assert grid.step == 5.0
    # Vertical lines at x = -10 … 10, from the top to the bottom of the view.
    assert "M-10 -7.81V7.81" in grid.path and "M10 -7.81V7.81" in grid.path
    assert re.findall(r"M(-?[\d.]+) -7.81V", grid.path) == ["-10", "-5", "0", "5", "10"]
    # Horizontal lines at y = -5, 0, 5, across.
    assert re.findall(r"M-12.5 (-?[\d.]+)H12.5", grid.path) == ["-5", "0", "5"]
    # 5 m of 25 m: a fifth of the width, from 3 % of it (the bottom left corner).
    assert (grid.bar_start, grid.bar_end, grid.bar_middle) == ("3%", "23%", "13%")


def test_the_scale_bar_is_in_the_bottom_right_corner_in_right_to_left_languages():
    grid = build_grid((-12.5, -7.8125, 25.0, 15.625), rtl=True)
    assert (grid.bar_start, grid.bar_end, grid.bar_middle) == ("77%", "97%", "87%")


def test_map_numbers_are_never_negative_zero():
    robot_map = build_map(
        [("r1", "Rover")],
        {"r1": (-0.001, 0.004, 180.0)},
        {"r1": [(-0.004, -0.0), (0.0, 0.003)]},
    )
    track = robot_map.tracks[0]
    texts = [
        robot_map.view_box_attr,
        track.points,
        track.marker.cx,
        track.marker.cy,
        track.marker.heading_x,
        track.start.x,
        robot_map.grid.path,
        robot_map.grid.bar_start,
    ]
    for text in texts:
        assert not re.search(r"(?<![\d.])-0(?![.\d])", text), text
    assert track.points == "0,0 0,0"
    assert (track.marker.cx, track.marker.cy) == ("0", "0")


def test_the_start_marker_stands_on_the_dock_or_the_trails_first_point():
    assert start_index([False, True, False, True, False]) == 3  # the last time at the dock
    assert start_index([False, False]) == 0
    assert start_index([]) is None

    robot_map = build_map(
        [("r1", "Docked once"), ("r2", "Never docked"), ("r3", "Never heard from")],
        {"r1": (4.0, 0.0, 90.0), "r2": (10.0, 10.0, 0.0)},
        {"r1": [(0.0, 2.0), (2.0, 2.0), (4.0, 0.0)], "r2": [(8.0, 10.0), (10.0, 10.0)]},
        {"r1": [False, True, False], "r2": [False, False]},
    )
    docked, never, silent = robot_map.tracks
    side = robot_map.view_box[2] * START_SCALE * 2  # centred on the point
    assert docked.start.dock and docked.start.index == 1
    # A square centred on (2, 2), i.e. SVG (2, -2).
    assert float(docked.start.x) == pytest.approx(2 - side / 2, abs=0.01)
    assert float(docked.start.y) == pytest.approx(-2 - side / 2, abs=0.01)
    assert float(docked.start.side) == pytest.approx(side, abs=0.01)
    assert not never.start.dock and never.start.index == 0
    assert float(never.start.x) == pytest.approx(8 - side / 2, abs=0.01)
    assert silent.start is None and silent.marker is None
    assert robot_map.has_positions


def test_a_map_without_readings_has_nothing_to_show():
    robot_map = build_map([("r1", "Rover")], {}, {})
    assert not robot_map.has_positions
    assert robot_map.tracks[0].start is None
    assert robot_map.view_box == view_box([])
