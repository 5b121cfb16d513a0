"""My robots' map in a real browser: a robot's owner posts readings with the robot's key
through the telemetry API and sees the metric grid with its scale bar, the dock marker, the
trail, every number and time in the page's format (never "-0"), and replays the last 30
minutes by mouse or keyboard (stepping only, with reduced motion); before the first reading,
an empty state says how to send it. Screenshots: test-artifacts/screenshots/my-robots-*.png."""

from __future__ import annotations

import math
import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect

from .axe import axe_problems
from .conftest import ARTIFACTS
from .test_accounts import create_key, register_robot, sign_up

SCREENSHOTS = ARTIFACTS / "screenshots"
DOCK = (12.0, 8.0)
END = (-0.04, -0.001)  # shown as 0.0, 0.0: never "-0.0"
READINGS = 200  # one every 6 s: the last 20 minutes
# "-0", "-0.0", "-0,0", and the same with a minus sign or Arabic-Indic digits, with or without
# a direction mark after the sign.
NEGATIVE_ZERO = re.compile(
    r"(?<![0-9\u0660-\u0669.,\u066b])[-\u2212][\u200e\u200f\u061c]?[0\u0660]"
    r"(?:[.,\u066b][0\u0660]*)?(?![0-9\u0660-\u0669])"
)
SAME_TIME_FORMAT = """(root) => {
    const lang = document.documentElement.lang;
    const format = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "medium" });
    return [...root.querySelectorAll("time[datetime]")].map(
        (time) => [time.textContent, format.format(new Date(time.getAttribute("datetime")))]
    );
}"""


def path_point(index: int) -> tuple[float, float, str]:
    """Where the robot is at reading `index`: at its dock, out on a loop, back to charge,
    then off to END."""
    if index < 10 or 90 <= index < 110:
        return (*DOCK, "docked" if index < 10 else "charging")
    if index < 90:
        angle = (index - 10) / 80 * 2 * math.pi
        return DOCK[0] - 10 + 10 * math.cos(angle), DOCK[1] + 10 * math.sin(angle), "moving"
    share = (index - 109) / (READINGS - 110)
    return (
        DOCK[0] + (END[0] - DOCK[0]) * share,
        DOCK[1] + (END[1] - DOCK[1]) * share + 6 * math.sin(share * math.pi),
        "moving",
    )


def post_readings(site, robot_id: str, key: str) -> None:
    """The robot posts its last 20 minutes, in batches, with its own key."""
    end_ms = int(time.time() * 1000) - 1000
    readings = []
    previous = path_point(0)
    for index in range(READINGS):
        x, y, status = path_point(index)
        heading = math.degrees(math.atan2(x - previous[0], y - previous[1])) % 360
        readings.append(
            {
                "robot_id": robot_id,
                "ts": end_ms - (READINGS - 1 - index) * 6000,
                "seq": index,
                "x": round(x, 3),
                "y": round(y, 3),
                "heading": round(heading, 1) % 360,
                "speed": 0.0 if status != "moving" else 0.8,
                "battery": 90.0 - index * 0.2,
                "status": status,
            }
        )
        previous = (x, y, status)
    for start in range(0, READINGS, 50):
        response = httpx.post(
            f"{site.base_url}/api/telemetry/ingest",
            json=readings[start : start + 50],
            headers={"Authorization": f"Bearer {key}"},
            timeout=20,
        )
        assert response.status_code == 202, response.text
        assert response.json() == {"accepted": 50, "duplicates": 0}


def segments(page: Page, robot_id: str) -> int:
    """Points drawn so far by the replay."""
    d = page.locator(f'#my-robots g[data-robot="{robot_id}"] .robot-track__replay').get_attribute(
        "d"
    )
    return len(re.findall(r"[ML]", d or ""))


def test_my_robots_map(page: Page, browser: Browser, site, console_errors):
    sign_up(page, site)
    register_robot(page, "Map rover")
    register_robot(page, "Quiet rover")
    robot_id = page.locator("#tokens tr").filter(has_text="Map rover").locator("code").inner_text()
    quiet_id = (
        page.locator("#tokens tr").filter(has_text="Quiet rover").locator("code").inner_text()
    )
    assert robot_id != quiet_id

    # Before the first reading: no empty map, but how to send that reading.
    page.goto(f"{site.base_url}/en/account/profile/")
    robots = page.locator("#my-robots")
    empty = robots.locator("[data-map-empty]")
    expect(empty).to_be_visible()
    expect(empty).to_contain_text("Waiting for the first reading")
    expect(empty.locator("pre")).to_contain_text(robot_id)  # the first robot, by name
    expect(empty.locator("pre")).to_contain_text("/api/telemetry/ingest")
    expect(empty.get_by_role("link", name="Telemetry API documentation")).to_have_attribute(
        "href", "/api/telemetry/docs"
    )
    expect(robots.locator("figure")).to_be_hidden()
    expect(robots.locator("[data-replay-toggle]")).to_be_hidden()
    empty.get_by_role("link", name="Create a key").click()
    expect(page).to_have_url(re.compile(r"#tokens$"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    robots.screenshot(path=SCREENSHOTS / "my-robots-empty-en.png", animations="disabled")

    key = create_key(page, "map", "telemetry:write", robot="Map rover")
    post_readings(site, robot_id, key)

    page.goto(f"{site.base_url}/en/account/profile/")
    expect(robots.locator("[data-map-empty]")).to_have_count(0)
    plot = robots.locator("figure svg.robot-map__plot")
    expect(plot).to_be_visible()

    # The metric grid: a handful of lines each way, every N metres; a scale bar of N m.
    grid = plot.locator("[data-grid]").get_attribute("d")
    verticals = [float(x) for x in re.findall(r"M(-?[\d.]+) -?[\d.]+V", grid)]
    horizontals = [float(y) for y in re.findall(r"M-?[\d.]+ (-?[\d.]+)H", grid)]
    assert 3 <= len(verticals) <= 9 and 2 <= len(horizontals) <= 6, grid
    step = verticals[1] - verticals[0]
    assert step in (1, 2, 5, 10, 20, 50), step
    label = plot.locator("[data-scale-label]")
    expect(label).to_have_text(f"{step:g} m")
    expect(robots.locator("[data-grid-label]")).to_have_text(f"Grid squares of {step:g} m")
    # The bar is one grid square long, on screen: pixels of N m = the plot's width × N / width.
    bar = plot.locator(".robot-map__scale-bar").first.bounding_box()
    view_width = float(plot.locator("[data-robot-map]").get_attribute("viewBox").split()[2])
    plot_box = plot.bounding_box()
    assert abs(bar["width"] - plot_box["width"] * step / view_width) < 3
    assert bar["x"] < plot_box["x"] + plot_box["width"] / 2  # bottom left in English

    # The trail, the robot where it is now, and its dock (where it charged).
    track = plot.locator(f'g[data-robot="{robot_id}"]')
    assert len(track.locator(".robot-track__trail").first.get_attribute("points").split()) == 120
    expect(track.locator(".robot-track__marker")).not_to_have_attribute("visibility", "hidden")
    dock = track.locator(".robot-track__start")
    expect(dock).to_have_attribute("data-dock", "")
    box = dock.bounding_box()
    assert box and box["width"] > 4
    centre = (
        float(dock.get_attribute("x")) + float(dock.get_attribute("width")) / 2,
        float(dock.get_attribute("y")) + float(dock.get_attribute("height")) / 2,
    )
    assert math.dist(centre, (DOCK[0], -DOCK[1])) < 0.05
    legend = robots.locator(".robot-map__legend")
    expect(legend).to_contain_text("Its dock, or where its path starts")

    # Numbers and times: the page's format, the same everywhere, never "-0".
    row = robots.locator(f'tr[data-robot="{robot_id}"]')
    expect(row.locator('[data-field="position"]')).to_have_text("0.0, 0.0 m")
    expect(robots.locator(f'tr[data-robot="{quiet_id}"] [data-field="status"]')).to_have_text(
        "No readings yet"
    )
    for shown, expected in robots.evaluate(SAME_TIME_FORMAT):
        assert shown == expected
    assert not NEGATIVE_ZERO.search(robots.inner_text())

    # Replay: by keyboard, it animates the trail over the last 30 minutes.
    toggle = robots.locator("[data-replay-toggle]")
    expect(toggle).to_have_text("Replay the last 30 minutes")
    toggle.focus()
    page.keyboard.press("Enter")
    slider = robots.locator("[data-replay-slider]")
    expect(slider).to_be_visible()
    expect(toggle).to_have_text("Pause")
    expect(track.locator(".robot-track__trail").first).to_have_attribute("display", "none")
    page.wait_for_function(
        "(selector) => (document.querySelector(selector).getAttribute('d') || '').length > 0",
        arg=f'#my-robots g[data-robot="{robot_id}"] .robot-track__replay',
        timeout=15_000,
    )
    first_value, first_points = int(slider.input_value()), segments(page, robot_id)
    page.wait_for_timeout(1500)
    assert int(slider.input_value()) > first_value
    assert segments(page, robot_id) > first_points  # the trail grows as time runs

    page.keyboard.press("Space")  # the toggle still has the focus: pause
    expect(toggle).to_have_text("Play")
    clock = robots.locator("[data-replay-clock]").inner_text()
    assert re.search(r"\d", clock) and not NEGATIVE_ZERO.search(clock)
    assert slider.get_attribute("aria-valuetext") == clock  # what a screen reader announces
    paused = segments(page, robot_id)
    page.wait_for_timeout(600)
    assert segments(page, robot_id) == paused

    slider.focus()
    page.keyboard.press("Home")
    assert int(slider.input_value()) == 0
    before = segments(page, robot_id)
    page.keyboard.press("End")
    assert segments(page, robot_id) == READINGS > before  # the whole 20 minutes drawn
    assert "M" in robots.locator(f'g[data-robot="{robot_id}"] .robot-track__replay').get_attribute(
        "d"
    )
    page.keyboard.press("Escape")  # back to live
    expect(slider).to_be_hidden()
    expect(toggle).to_be_focused()
    expect(toggle).to_have_text("Replay the last 30 minutes")
    expect(track.locator(".robot-track__trail").first).not_to_have_attribute("display", "none")
    assert axe_problems(page) == []
    assert console_errors == []

    # Reduced motion: nothing plays by itself; the slider steps through the minutes.
    calm = browser.new_context(reduced_motion="reduce")
    calm.add_cookies(page.context.cookies())
    calm_page = calm.new_page()
    try:
        calm_page.goto(f"{site.base_url}/en/account/profile/")
        calm_robots = calm_page.locator("#my-robots")
        calm_robots.locator("[data-replay-toggle]").click()
        calm_slider = calm_robots.locator("[data-replay-slider]")
        expect(calm_slider).to_be_visible()
        expect(calm_robots.locator("[data-replay-status]")).to_contain_text("Move the slider")
        expect(calm_robots.locator("[data-replay-toggle]")).to_have_text("Play")
        calm_page.wait_for_timeout(1200)
        assert calm_slider.input_value() == "0"
        clock = calm_robots.locator("[data-replay-clock]").inner_text()
        calm_slider.focus()
        calm_page.keyboard.press("ArrowRight")
        assert calm_slider.input_value() == "10000"  # 10 seconds on
        expect(calm_robots.locator("[data-replay-clock]")).not_to_have_text(clock)
    finally:
        calm.close()

    # Without JavaScript: the static trail, the grid, the scale bar and the dock stay.
    static = browser.new_context(java_script_enabled=False)
    static.add_cookies(page.context.cookies())
    static_page = static.new_page()
    try:
        static_page.goto(f"{site.base_url}/en/account/profile/")
        static_robots = static_page.locator("#my-robots")
        expect(static_robots.locator("[data-scale-label]")).to_have_text(f"{step:g} m")
        expect(
            static_robots.locator(f'g[data-robot="{robot_id}"] .robot-track__start')
        ).to_have_attribute("data-dock", "")
        expect(static_robots.locator("[data-replay]")).to_be_hidden()
        assert not NEGATIVE_ZERO.search(static_robots.inner_text())
    finally:
        static.close()

    # What people look at: es and ar (right to left), on a laptop and on a phone.
    for language in ("es", "ar"):
        for width, height in ((1366, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_cookies(page.context.cookies())
            shot = context.new_page()
            try:
                shot.goto(f"{site.base_url}/{language}/account/profile/")
                section = shot.locator("#my-robots")
                expect(section.locator("[data-replay-toggle]")).to_be_visible()
                assert not NEGATIVE_ZERO.search(section.inner_text()), language
                for shown, expected in section.evaluate(SAME_TIME_FORMAT):
                    assert shown == expected
                assert shot.evaluate("document.documentElement.scrollWidth") <= width
                scale = section.locator(".robot-map__scale-bar").first.bounding_box()
                plot = section.locator("svg.robot-map__plot").bounding_box()
                on_the_right = scale["x"] > plot["x"] + plot["width"] / 2
                assert on_the_right == (language == "ar")  # the bottom start corner
                section.scroll_into_view_if_needed()
                section.screenshot(
                    path=SCREENSHOTS / f"my-robots-trail-{language}-{width}.png",
                    animations="disabled",
                )
            finally:
                context.close()
