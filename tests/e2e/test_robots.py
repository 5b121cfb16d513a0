"""A simulated robot moves on its owner's profile page, live, in a real browser; and without
JavaScript the page shows where it was last."""

from __future__ import annotations

import signal
import subprocess
import sys

from playwright.sync_api import Browser, Page, expect

from tests.servers import REPO

from .axe import axe_problems
from .conftest import ARTIFACTS
from .test_accounts import create_key, register_robot, sign_up

SCREENSHOTS = ARTIFACTS / "screenshots"  # for people to look at

MOVED = """([selector, cx, cy]) => {
    const marker = document.querySelector(selector);
    return marker && (marker.getAttribute("cx") !== cx || marker.getAttribute("cy") !== cy);
}"""


def position(page: Page, selector: str) -> tuple[str, str]:
    marker = page.locator(selector)
    return marker.get_attribute("cx"), marker.get_attribute("cy")


def test_a_simulated_robot_moves_on_its_owners_map(
    page: Page, browser: Browser, site, console_errors
):
    sign_up(page, site)
    register_robot(page, "Rover Live")
    robot_id = page.locator("#tokens tr").filter(has_text="Rover Live").locator("code").inner_text()
    full_key = create_key(page, "simulator", "telemetry:write", robot="Rover Live")

    page.goto(f"{site.base_url}/en/account/profile/")
    robots = page.locator("#my-robots")
    status = robots.locator(f'tr[data-robot="{robot_id}"] [data-field="status"]')
    marker = f'#my-robots g[data-robot="{robot_id}"] .robot-track__position'
    trail = page.locator(f'#my-robots g[data-robot="{robot_id}"] .robot-track__trail')
    expect(status).to_have_text("No readings yet")
    expect(robots.locator("[data-live-status]")).to_contain_text("Live")  # the stream is open

    simulator = subprocess.Popen(
        [
            sys.executable, "-m", "apis.telemetry.simulator", "--url", site.base_url,
            "--key", f"{robot_id}={full_key}", "--rate", "5", "--gap-chance", "0",
            "--seed", "3", "--progress-every", "0",
        ],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        # The first reading arrives over SSE: state in the table, the marker on the map.
        expect(status.locator(".badge")).to_be_visible(timeout=20_000)
        expect(page.locator(marker).locator("xpath=..")).not_to_have_attribute(
            "visibility", "hidden"
        )
        first = position(page, marker)
        # Then it moves: the marker goes somewhere else and the trail grows behind it.
        page.wait_for_function(MOVED, arg=[marker, *first], timeout=30_000)
        assert position(page, marker) != first
        battery = robots.locator(f'tr[data-robot="{robot_id}"] [data-field="battery"]')
        expect(battery).to_contain_text("%")
        page.wait_for_function(
            "(selector) => document.querySelector(selector).getAttribute('points')"
            ".trim().split(/\\s+/).length >= 10",
            arg=f'#my-robots g[data-robot="{robot_id}"] .robot-track__trail',
            timeout=20_000,
        )
        live_points = len(trail.get_attribute("points").split())
        robots.screenshot(path=SCREENSHOTS / "my-robots-live.png", animations="disabled")
    finally:
        simulator.send_signal(signal.SIGINT)
        output, _ = simulator.communicate(timeout=20)
    assert simulator.returncode == 0, output
    assert "stopped:" in output
    assert axe_problems(page) == []
    assert console_errors == []

    # Without JavaScript the server draws the same: latest state and the trail so far.
    context = browser.new_context(java_script_enabled=False)
    context.add_cookies(page.context.cookies())
    static_page = context.new_page()
    try:
        static_page.goto(f"{site.base_url}/en/account/profile/")
        static_row = static_page.locator(f'#my-robots tr[data-robot="{robot_id}"]')
        expect(static_row.locator('[data-field="status"] .badge')).to_be_visible()
        expect(static_row.locator('[data-field="battery"]')).to_contain_text("%")
        static_trail = static_page.locator(
            f'#my-robots g[data-robot="{robot_id}"] .robot-track__trail'
        )
        assert len(static_trail.get_attribute("points").split()) >= live_points
        expect(static_page.locator("#my-robots [data-live-status]")).to_be_hidden()
    finally:
        context.close()
