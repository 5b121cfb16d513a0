"""The Wagtail admin as an editor meets it: Croody's name and logo from the sign-in page on,
and a dashboard whose figures come from what robots really sent."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import Browser, Page, expect

from .conftest import ARTIFACTS
from .test_accounts import create_key, register_robot, sign_up

SCREENSHOTS = ARTIFACTS / "screenshots"  # for people to look at
READINGS = 40


def post_readings(site, robot_id: str, key: str) -> None:
    """READINGS readings of the last 40 seconds, as a robot posts them."""
    now_ms = int(time.time() * 1000)
    batch = [
        {
            "robot_id": robot_id,
            "ts": now_ms - (READINGS - i) * 1000,
            "seq": i,
            "x": float(i),
            "y": 1.0,
            "heading": 90.0,
            "speed": 0.4,
            "battery": 77.0,
            "status": "moving",
        }
        for i in range(READINGS)
    ]
    response = httpx.post(
        f"{site.base_url}/api/telemetry/ingest",
        json=batch,
        headers={"Authorization": f"Bearer {key}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text


def number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def sign_in_to_admin(page: Page, site) -> None:
    page.goto(f"{site.base_url}/admin/login/")
    expect(page).to_have_title(re.compile(r"- Croody$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Croody")
    expect(page.locator(".login-logo .croody-admin-brand__mark")).to_be_visible()
    expect(page.locator(".login-logo")).to_contain_text("Croody")
    page.locator("#id_username").fill(site.admin_username)
    page.locator("#id_password").fill(site.admin_password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{site.base_url}/admin/")


def test_the_admin_dashboard_shows_croody_and_the_figures_that_matter(
    browser: Browser, site
) -> None:
    # A robot owner's robot sends readings, as any robot does.
    owner = browser.new_page(locale="en-US")
    try:
        sign_up(owner, site)
        register_robot(owner, "Dashboard rover")
        robot_id = (
            owner.locator("#tokens tr").filter(has_text="Dashboard rover").locator("code").first
        ).inner_text()
        key = create_key(owner, "dashboard", "telemetry:write", robot="Dashboard rover")
    finally:
        owner.close()
    post_readings(site, robot_id, key)

    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    console_errors: list[str] = []  # CSP violations among them
    page.on("console", lambda msg: msg.type == "error" and console_errors.append(msg.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    try:
        sign_in_to_admin(page, site)
        expect(page).to_have_title(re.compile(r"- Croody$"))
        expect(page.locator("#wagtail-sidebar .croody-admin-brand__mark")).to_be_visible()

        online = page.locator('[data-figure="robots-online"] .croody-figure__value')
        last_hour = page.locator('[data-figure="readings-last-hour"] .croody-figure__value')
        # The figures are counted at most every 10 s by the service and kept 30 s by the CMS.
        deadline = time.monotonic() + 60
        while number(online.inner_text()) < 1 or number(last_hour.inner_text()) < READINGS:
            assert time.monotonic() < deadline, "the dashboard never counted the new readings"
            page.wait_for_timeout(3000)
            page.reload()
        expect(page.locator('[data-figure="robots-online"]')).to_contain_text(
            "that have sent readings"
        )
        alerts = page.locator('[data-figure="ids-alerts"]')
        expect(alerts.locator(".croody-figure__value")).to_have_text(re.compile(r"^[\d,]+$"))
        expect(alerts.get_by_role("link", name="See the alerts")).to_have_attribute(
            "href", re.compile(r"^/admin/ids/\?verdict=attack&since=")
        )

        backlog = page.locator("#croody-translation-backlog-section")
        expect(backlog.get_by_role("heading", name="Pages awaiting translation")).to_be_visible()
        expect(backlog.locator("tbody tr")).to_have_count(7)  # every language but Spanish
        expect(backlog.locator('tr[data-language="ja"] th')).to_have_text("Japanese")

        page.screenshot(
            path=SCREENSHOTS / "admin-dashboard.png", full_page=True, animations="disabled"
        )

        # Each language links to the pages it still needs.
        backlog.locator('tr[data-language="fr"] th a').click()
        expect(page).to_have_url(f"{site.base_url}/admin/translations/fr/")
        expect(page.get_by_role("heading", name="Not translated")).to_be_visible()
        expect(page).to_have_title(re.compile(r"French - Croody$"))
    finally:
        context.close()
    assert console_errors == []
