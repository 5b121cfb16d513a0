"""Staff manage IDS model versions in a real browser: run a new version in shadow, promote it,
roll back, by keyboard, and read the page in Arabic on a phone. Screenshots go to
test-artifacts/screenshots/ids-model-versions-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import create_engine

from apis.ids import registry
from tests.ids.service.test_model_registry import CANDIDATE, SHIPPED, candidate_dir

from .conftest import ARTIFACTS
from .test_ids_analyst import set_admin_language, sign_in

SCREENSHOTS = ARTIFACTS / "screenshots"
VERSIONS = "/admin/ids/models/"


@pytest.fixture(scope="module")
def candidate(site, tmp_path_factory) -> str:
    """A second version registered in the site's IDS database, as the command would."""
    engine = create_engine(site.env["IDS_DATABASE_URL"])
    try:
        registry.register(engine, candidate_dir(tmp_path_factory.mktemp("e2e-model")), by="ci")
    finally:
        engine.dispose()
    return CANDIDATE


def row_status(page, version: str) -> str:
    name = page.locator("th").filter(has_text=re.compile(rf"^{re.escape(version)}$"))
    row = page.locator("table.ids-table tbody tr").filter(has=name)
    return row.locator("td").first.inner_text().strip()


def test_staff_shadow_promote_and_roll_back_by_keyboard(browser: Browser, site, candidate) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, site)
    page.goto(f"{site.base_url}{VERSIONS}")
    assert row_status(page, SHIPPED) == "Serving" and row_status(page, candidate) == "Stored"

    shadow = page.get_by_role("button", name="Run in shadow")
    shadow.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("now scores in shadow")
    assert row_status(page, candidate) == "In shadow"

    page.get_by_role("button", name="Promote").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(f"Version {candidate} now serves")
    assert row_status(page, candidate) == "Serving"
    assert row_status(page, SHIPPED) == "Previously serving"
    page.screenshot(path=str(SCREENSHOTS / "ids-model-versions-1366.png"), full_page=True)

    page.get_by_role("button", name=f"Roll back to {SHIPPED}").click()
    expect(page.locator(".messages")).to_contain_text(f"version {SHIPPED} serves again")
    assert row_status(page, SHIPPED) == "Serving"
    context.close()


def test_the_versions_page_reads_right_to_left_on_a_phone(
    browser: Browser, site, candidate
) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, site)
    try:
        set_admin_language(page, site, "ar")
        page.goto(f"{site.base_url}{VERSIONS}")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("table.ids-table")).to_contain_text("في الخدمة")  # "Serving"
        # The table scrolls inside its box; the page itself never scrolls sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SCREENSHOTS / "ids-model-versions-390-ar.png"), full_page=True)
    finally:
        set_admin_language(page, site, "en")
        context.close()
