"""Arabic right to left beyond the home page, and each script in its own font, in Chromium.

Also saves screenshots of the home and a product page in Arabic and Japanese under
test-artifacts/screenshots/ (i18n-<language>-<page>.png) for people to look at.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

SCREENSHOTS = ARTIFACTS / "screenshots"
PRODUCT = "/es/tienda/tempo-3/"  # the Spanish original; the selector finds each translation
# The face each script must be drawn with (Debian's fonts-noto-core and fonts-noto-cjk).
FONTS = {
    "ar": "Noto Sans Arabic",
    "ja": "Noto Sans CJK JP",
    "zh-hans": "Noto Sans CJK SC",
    "hi": "Noto Sans Devanagari",
}


def open_in(page: Page, base_url: str, path: str, code: str) -> None:
    """Open the Spanish page, then switch language with the selector (a real form post)."""
    page.goto(base_url + path)
    page.locator(f'.language-selector button[value="{code}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def box(page: Page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not visible"
    return found


def right(found: dict) -> float:
    return found["x"] + found["width"]


def test_arabic_product_page_reads_right_to_left(page: Page, site):
    open_in(page, site.base_url, PRODUCT, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    gallery, summary = box(page, ".product__gallery"), box(page, ".product__summary")
    assert gallery["x"] > summary["x"], "the gallery comes first: on the right"
    heading, name = box(page, ".product__summary h1"), box(page, ".product__summary")
    assert abs(right(heading) - right(name)) < 2, "text starts at the right edge"
    spec_name, spec_value = box(page, ".product__specs th"), box(page, ".product__specs td")
    assert spec_name["x"] > spec_value["x"], "each specification's name is on the right"
    # The breadcrumb's chevron points left, towards the current page.
    chevron = page.locator(".breadcrumbs .icon--directional").first
    assert chevron.evaluate("el => getComputedStyle(el).transform").startswith("matrix(-1")
    # Latin values (units, SKUs) stay readable inside the Arabic layout.
    value = page.locator(".product__specs td bdi").first
    assert value.evaluate("el => getComputedStyle(el).unicodeBidi") == "isolate"


def test_arabic_catalogue_filters_and_sign_up_form_read_right_to_left(page: Page, site):
    open_in(page, site.base_url, "/es/tienda/", "ar")
    filters, results = box(page, ".catalogue__filters"), box(page, ".catalogue__main")
    assert filters["x"] > results["x"], "the filters come first: on the right"
    label = box(page, ".catalogue__filters label")
    field = box(page, ".catalogue__filters input[type=search]")
    assert abs(right(label) - right(field)) < 2, "labels and fields line up on the right"
    search = page.locator(".catalogue__filters input[type=search]")
    assert search.evaluate("el => getComputedStyle(el).direction") == "rtl"

    page.goto(f"{site.base_url}/ar/account/signup/")
    label, field = box(page, "label[for=id_username]"), box(page, "#id_username")
    assert abs(right(label) - right(field)) < 2
    page.locator("main form button[type=submit]").click()  # empty: errors, in Arabic
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.evaluate("el => getComputedStyle(el).direction") == "rtl"


def test_arabic_navigation_runs_right_to_left(page: Page, site):
    page.goto(f"{site.base_url}/ar/")
    links = page.locator(".site-nav a")
    positions = [links.nth(index).bounding_box()["x"] for index in range(links.count())]
    assert len(positions) >= 3
    assert positions == sorted(positions, reverse=True), "the first link is the rightmost"
    languages = page.locator(".language-selector__option")
    first, last = languages.first.bounding_box(), languages.last.bounding_box()
    assert first["x"] > last["x"]


@pytest.mark.parametrize("code", sorted(FONTS))
def test_each_script_is_drawn_with_its_own_font(page: Page, site, code):
    """Chromium reports the faces it really used: no tofu, no Han drawn with a Chinese face
    on a Japanese page (or the reverse)."""
    page.goto(f"{site.base_url}/{code}/")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    for selector in ("main h1", ".hero .lead", ".site-nav a"):
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        used = {font["familyName"]: font["glyphCount"] for font in fonts}
        assert used.get(FONTS[code], 0) > 0, f"{code} {selector}: drawn with {used}"
        expected = {FONTS[code], "Figtree", "Figtree Light", "Figtree Variable"}
        assert set(used) <= expected, f"{code} {selector}: fallback fonts {used}"


@pytest.mark.parametrize("code", ["ar", "ja"])
def test_screenshots_of_home_and_a_product_page(page: Page, site, code):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("home", "/es/"), ("product", PRODUCT)):
        open_in(page, site.base_url, path, code)
        page.wait_for_load_state("networkidle")
        target = SCREENSHOTS / f"i18n-{code}-{name}.png"
        page.screenshot(path=target, full_page=True, animations="disabled")
        assert target.stat().st_size > 20_000
