"""An IDS analyst in a real browser: filters that move the counters and the chart, paging both
ways, a prediction's detail, triage (one and a selection), the label filter and precision; the
chart's counts by keyboard and by touch; the page on a phone; and the same work without
JavaScript. Screenshots of the filtered view at 1366 and 390 px go to
test-artifacts/screenshots/ids-alerts-filtered-*.png."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.ids.support import neptune_record, normal_record

from .conftest import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
ATTACKS, NORMAL = 60, 40  # more attacks than a page (50) holds
DASH = "\u2013"  # the match count is typeset with an en dash


def sign_in(page: Page, site) -> None:
    """The site's admin: a superuser, so staff, whose session carries `ids:analyst`."""
    page.goto(f"{site.base_url}/admin/login/")
    page.locator("#id_username").fill(site.admin_username)
    page.locator("#id_password").fill(site.admin_password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(f"{site.base_url}/admin/")


def counter(page: Page, name: str) -> int:
    """A counter above the chart, as the page shows it (digits only)."""
    text = page.locator("#ids-counters > div").filter(has=page.locator(f"dt:text-is('{name}')"))
    return int(re.sub(r"\D", "", text.locator("dd").inner_text()))


def match_count(page: Page) -> str:
    return page.locator("#ids-range").inner_text().strip()


def precision_cells(page: Page) -> list[str]:
    row = page.locator("table.ids-precision tbody tr").first
    return [cell.inner_text().replace("\xa0", " ").strip() for cell in row.locator("td").all()]


@pytest.fixture(scope="module")
def analyst(browser: Browser, site) -> BrowserContext:
    """A signed-in analyst's browser (English admin), with traffic scored through the API."""
    context = browser.new_context(locale="en-US", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, site)
    # The session's croody_api cookie lets the browser call the IDS API as this user.
    records = [neptune_record()] * ATTACKS + [normal_record()] * NORMAL
    response = page.request.post(
        f"{site.base_url}/api/ids/predict",
        data=json.dumps({"records": records}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 200, response.text()
    assert response.json()["count"] == ATTACKS + NORMAL
    page.close()
    yield context
    context.close()


def test_an_analyst_filters_pages_opens_and_labels_predictions(analyst, site):
    page = analyst.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{site.base_url}/admin/ids/")
    expect(page.get_by_role("heading", level=1)).to_have_text("IDS alerts")

    # Attacks by default; "All" counts the normal ones too: the counters follow the filter.
    attacks_only = counter(page, "Predictions")
    assert attacks_only >= ATTACKS and counter(page, "Normal") == 0
    page.locator("#id_verdict").select_option("")
    page.get_by_role("button", name="Filter").click()
    everything = counter(page, "Predictions")
    assert everything - attacks_only >= NORMAL and counter(page, "Normal") >= NORMAL
    expect(page.locator("#ids-range")).to_have_text(re.compile(rf"^1{DASH}50 of {everything:,}$"))
    page.locator("#id_category").select_option("DoS")
    page.get_by_role("button", name="Filter").click()
    dos = counter(page, "Predictions")
    assert ATTACKS <= dos < everything and counter(page, "Normal") == 0

    # Paging both ways keeps the filters and says where we are.
    page.get_by_role("link", name="Older predictions").click()
    expect(page.locator("#ids-range")).to_have_text(f"51{DASH}{dos} of {dos}")
    expect(page.locator("#id_category")).to_have_value("DoS")
    page.get_by_role("link", name="Newer predictions").click()
    expect(page.locator("#ids-range")).to_have_text(f"1{DASH}50 of {dos}")

    # A source is a link that filters by it.
    source = page.locator("tr.ids-prediction td code").first.inner_text()
    page.locator("tr.ids-prediction").first.get_by_role("link", name=source).click()
    expect(page.locator("#id_source")).to_have_value(source)

    # The chart shows a bar's counts from the keyboard.
    chart = page.locator("svg.ids-chart-wide")
    chart.focus()
    page.keyboard.press("End")
    readout = page.locator("[data-ids-readout]")
    expect(readout).to_be_visible()
    expect(readout).to_contain_text(re.compile(r"UTC: attacks [\d,]+, normal [\d,]+"))

    # Precision before any label of ours.
    before = precision_cells(page)

    # A prediction's detail: input, score, model, drivers; label it a false positive.
    first_id = page.locator("tr.ids-prediction").first.get_attribute("data-id")
    page.locator("tr.ids-prediction").first.get_by_role("link", name=first_id).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(first_id)
    expect(page.locator("table.ids-top-features tbody tr")).to_have_count(5)
    expect(page.locator("table.ids-features tbody tr")).to_have_count(41)
    # Which half of the score raised it: the novelty's and the forest's percentiles.
    expect(page.locator("#ids-drivers + p")).to_contain_text(
        re.compile(r"The score is the larger of two shares .*\(\d\.\d{3}\)")
    )
    page.get_by_label("False positive").check()
    page.get_by_label("Note").fill("the lab's load test")
    page.get_by_role("button", name="Save the label").click()
    expect(page.locator(".ids-triage-state")).to_contain_text("False positive")
    expect(page.locator(".ids-triage-state")).to_contain_text(f"by {site.admin_username}")
    page.get_by_role("link", name="Back to the alerts").click()
    expect(page.locator("#id_source")).to_have_value(source)  # the same list as before

    # A selection from the list: select all (script), untick one, mark confirmed attacks.
    page.locator("[data-ids-select-all]").check()
    rows = page.locator("tr.ids-prediction")
    rows.nth(0).locator("input[name=ids]").uncheck()  # the false positive stays one
    rows.nth(3).locator("input[name=ids]").uncheck()
    page.locator(".ids-bulk").get_by_label("Confirmed attack").check()
    page.get_by_role("button", name="Apply to the selection").click()
    expect(page.locator(".messages")).to_contain_text("Predictions marked “Confirmed attack”: 48.")

    # The label filter, and precision from the labels.
    page.locator("#id_label").select_option("false_positive")  # the filter's, not the triage's
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#ids-range")).to_have_text(f"1{DASH}1 of 1")
    expect(page.locator("tr.ids-prediction")).to_have_attribute("data-id", first_id)
    after = precision_cells(page)
    confirmed, false_positives = int(after[2]) - int(before[2]), int(after[3]) - int(before[3])
    assert (confirmed, false_positives) == (48, 1)
    expected = int(after[2]) / (int(after[2]) + int(after[3])) * 100
    assert after[5] == f"{expected:.1f} %"
    page.goto(f"{site.base_url}/admin/ids/model/")
    expect(page.locator("table.ids-precision tbody tr").first).to_contain_text(
        re.compile(rf"{expected:.1f}\s%")
    )
    assert errors == []  # no CSP violation, no script error


@pytest.mark.parametrize("width", [1366, 390])
def test_the_filtered_view_fits_the_screen_and_shows_counts_on_touch(
    browser: Browser, analyst, site, width
):
    context = browser.new_context(
        locale="en-US",
        viewport={"width": width, "height": 900 if width > 800 else 844},
        has_touch=width < 800,
        is_mobile=width < 800,
        storage_state=analyst.storage_state(),
    )
    page = context.new_page()
    try:
        page.goto(f"{site.base_url}/admin/ids/?verdict=&category=DoS&min_score=0.5")
        expect(page.locator("#ids-range")).to_be_visible()
        # No sideways scrolling: wide tables scroll inside their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        chart = page.locator("svg.ids-chart-compact" if width < 800 else "svg.ids-chart-wide")
        expect(chart).to_be_visible()
        # Text in the chart stays legible: at least 10 px on screen.
        smallest = page.evaluate(
            """(svg) => Math.min(...Array.from(svg.querySelectorAll('text'))
                .map((t) => t.getBoundingClientRect().height))""",
            chart.element_handle(),
        )
        assert smallest >= 10, smallest
        if width < 800:
            # Below the filters on a phone: scroll to it as a thumb would (a tap lands only
            # on what the screen shows).
            chart.scroll_into_view_if_needed()
            box = chart.bounding_box()
            bar = page.locator(
                "svg.ids-chart-compact g.ids-bar[data-attacks]:not([data-attacks='0'])"
            )
            target = bar.last.locator(".ids-bar-target").bounding_box()
            page.touchscreen.tap(target["x"] + target["width"] / 2, box["y"] + box["height"] / 2)
            expect(page.locator("[data-ids-readout]")).to_contain_text("attacks")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"ids-alerts-filtered-{width}.png"), full_page=True)
    finally:
        context.close()


def test_triage_works_without_javascript(browser: Browser, analyst, site):
    context = browser.new_context(
        locale="en-US", java_script_enabled=False, storage_state=analyst.storage_state()
    )
    page = context.new_page()
    try:
        page.goto(f"{site.base_url}/admin/ids/?verdict=attack&label=unlabelled")
        expect(page.locator("[data-ids-select-all]")).to_be_hidden()  # the script's, not here
        chosen = page.locator("tr.ids-prediction").first.get_attribute("data-id")
        page.locator(f"#ids-select-{chosen}").check()
        page.locator(".ids-bulk").get_by_label("Benign, expected").check()
        page.get_by_role("button", name="Apply to the selection").click()
        expect(page.locator(".messages")).to_contain_text(
            "Predictions marked “Benign, expected”: 1."
        )
        # Errors stand next to their field, in the form's words.
        page.goto(f"{site.base_url}/admin/ids/")
        page.locator("#id_since").fill("2026-12-02T00:00")
        page.locator("#id_until").fill("2026-12-01T00:00")
        page.get_by_role("button", name="Filter").click()
        expect(page.locator("#id_until_error")).to_have_text("“Until” must be later than “From”.")
    finally:
        context.close()


def set_admin_language(page: Page, site, language: str) -> None:
    """As the admin does it on Wagtail's account page: pick the language and save. That page
    saves all its panels in one form, whose first and last name are required: setup_croody's
    admin has none yet, so they are filled in as Wagtail asks (only when empty)."""
    page.goto(f"{site.base_url}/admin/account/")
    for field, name in (("first_name", "Site"), ("last_name", "Admin")):
        box = page.locator(f"#id_name_email-{field}")
        if not box.input_value():
            box.fill(name)
    page.locator("#id_locale-preferred_language").select_option(language)
    # The form's own Save button, in its footer (its label is in the current language).
    page.locator("#w-editor-form footer button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_the_filtered_view_reads_right_to_left_on_a_phone(browser: Browser, analyst, site):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        has_touch=True,
        is_mobile=True,
        storage_state=analyst.storage_state(),
    )
    page = context.new_page()
    try:
        set_admin_language(page, site, "ar")
        page.goto(f"{site.base_url}/admin/ids/?verdict=&category=DoS&min_score=0.5")
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(page.locator("#ids-range")).to_contain_text("من")  # the match count, in Arabic
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # The chart keeps time running left to right, its labels inside the picture.
        chart = page.locator("svg.ids-chart-compact")
        expect(chart).to_be_visible()
        box = chart.bounding_box()
        for text in chart.locator("text").all():
            label = text.bounding_box()
            assert (
                box["x"] - 1 <= label["x"]
                and label["x"] + label["width"] <= box["x"] + box["width"] + 1
            )
        page.screenshot(path=str(SCREENSHOTS / "ids-alerts-filtered-390-ar.png"), full_page=True)
        # A prediction's detail, its explanation in Arabic, fits the phone too.
        page.locator("tr.ids-prediction").first.locator("a").first.click()
        expect(page.locator("#ids-drivers + p")).to_contain_text("الدرجة هي الأكبر")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.locator("#ids-drivers").scroll_into_view_if_needed()  # the admin scrolls inside
        page.screenshot(path=str(SCREENSHOTS / "ids-prediction-390-ar.png"))
    finally:
        set_admin_language(page, site, "en")
        context.close()
