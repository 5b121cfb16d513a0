"""The catalogue on a phone (390×844) and a laptop (1366×900), in Spanish and in Arabic (RTL):
the filters fold behind a "Filters" button on the phone and open from the keyboard, the next
page starts at the results' top (search.js and plain links alike), and switching language
keeps the search, filters, sort and page."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.axe import axe_problems

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 900}
SCROLL_PADDING = 68  # the page's scroll-padding-block-start (--space-xl, base.css)


def catalogue_path(page: Page, site, code: str) -> str:
    """The catalogue's address in `code`, from the headless API (slugs are translated)."""
    response = page.request.get(
        f"{site.base_url}/api/v2/pages/?type=shop.ProductIndexPage&locale={code}"
    )
    assert response.ok, response.text()
    items = response.json()["items"]
    assert len(items) == 1
    return urlsplit(items[0]["meta"]["html_url"]).path


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    yield context.new_page()
    context.close()


def toggle(page: Page):
    return page.locator("[data-catalogue-filters] > summary")


def results_top(page: Page) -> float:
    """Where the results start in the viewport, once scrolling (maybe smooth) has settled."""
    tops: list[float] = []
    for _attempt in range(50):
        box = page.locator("#catalogue-results").bounding_box()
        assert box is not None
        tops.append(box["y"])
        if len(tops) >= 3 and tops[-1] == tops[-2] == tops[-3]:
            break
        page.wait_for_timeout(100)
    return tops[-1]


def assert_at_results_top(page: Page) -> None:
    """The page is scrolled to the results, which start near the top of the viewport with
    the "page N of M" line above them still in sight."""
    top = results_top(page)
    assert page.evaluate("window.scrollY") > 300  # not the top of the page
    assert abs(top - SCROLL_PADDING) < 6, top
    expect(page.locator(".catalogue__count")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("code", ["es", "ar"])
def test_phone_filters_fold_and_open_from_the_keyboard(page: Page, site, console_errors, code):
    page.set_viewport_size(PHONE)
    page.goto(site.base_url + catalogue_path(page, site, code))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    expect(page.locator("#id_q")).to_be_visible()  # the search box stays in sight
    expect(toggle(page)).to_be_visible()
    expect(page.locator("#id_category")).to_be_hidden()
    expect(page.locator("#catalogue-filter-count .badge")).to_have_count(0)

    toggle(page).focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-catalogue-filters]")).to_have_attribute("open", "")
    expect(page.locator("#id_category")).to_be_visible()
    page.keyboard.press("Tab")
    expect(page.locator("#id_category")).to_be_focused()

    # Choosing a filter updates the results in place and the number on the button.
    page.locator("#id_category").select_option("sensores")
    expect(page).to_have_url(re.compile(r"\?category=sensores$"))
    expect(page.locator("#catalogue-filter-count .badge")).to_have_text("1")

    # The chevron sits at the end of the line: on the left in Arabic.
    label = toggle(page).locator("span").first.bounding_box()
    chevron = toggle(page).locator(".catalogue__chevron").bounding_box()
    assert (chevron["x"] < label["x"]) if code == "ar" else (chevron["x"] > label["x"])

    toggle(page).focus()
    page.keyboard.press("Space")  # and it folds again
    expect(page.locator("#id_category")).to_be_hidden()
    assert console_errors == []


@pytest.mark.parametrize("reduced_motion", ["reduce", "no-preference"])
def test_phone_next_page_starts_at_the_results_top(page: Page, site, reduced_motion):
    page.emulate_media(reduced_motion=reduced_motion)
    page.set_viewport_size(PHONE)
    path = catalogue_path(page, site, "es")
    page.goto(f"{site.base_url}{path}?sort=price")
    page.evaluate("window.__sameDocument = true")
    page.locator(".pagination a[rel=next]").scroll_into_view_if_needed()
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"\?sort=price&page=2$"))  # no #fragment kept
    expect(page.locator('.pagination a[aria-current="page"]')).to_have_text("2")
    expect(page.locator("#catalogue-results")).to_be_focused()
    assert_at_results_top(page)
    assert page.evaluate("window.__sameDocument") is True  # search.js, not a page load


def test_phone_without_javascript(no_js_page: Page, site):
    page = no_js_page
    path = catalogue_path(page, site, "ar")
    page.goto(f"{site.base_url}{path}?sort=price")
    # The native disclosure works without any script.
    expect(page.locator("#id_category")).to_be_hidden()
    toggle(page).click()
    expect(page.locator("#id_category")).to_be_visible()
    page.locator("#id_category").select_option("zapatillas")
    page.locator(".catalogue__filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"category=zapatillas"))
    expect(page.locator("#catalogue-filter-count .badge")).to_have_text("1")

    page.goto(f"{site.base_url}{path}?sort=price")
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"\?sort=price&page=2#catalogue-results$"))
    assert_at_results_top(page)


@pytest.mark.parametrize("code", ["es", "ar"])
@pytest.mark.parametrize("javascript", [True, False])
def test_laptop_shows_the_filters(browser, site, code, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport=LAPTOP)
    page = context.new_page()
    page.goto(site.base_url + catalogue_path(page, site, code))
    for field in ("#id_q", "#id_category", "#id_min_price", "#id_availability", "#id_sort"):
        expect(page.locator(field)).to_be_visible()
    expect(toggle(page)).to_be_hidden()
    # Beside the results: on the left in Spanish, on the right in Arabic.
    filters = page.locator(".catalogue__filters").bounding_box()
    results = page.locator("#catalogue-results").bounding_box()
    assert (filters["x"] > results["x"]) if code == "ar" else (filters["x"] < results["x"])
    context.close()


@pytest.mark.parametrize("code", ["es", "ar"])
def test_phone_catalogue_passes_axe_folded_and_open(page: Page, site, code):
    page.set_viewport_size(PHONE)
    page.goto(f"{site.base_url}{catalogue_path(page, site, code)}?category=sensores")
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)
    toggle(page).click()
    expect(page.locator("#id_category")).to_be_visible()
    problems = axe_problems(page)
    assert problems == [], "\n".join(problems)


def switch_to(page: Page, code: str) -> None:
    language_toggle = page.locator("[data-language-toggle]")
    if language_toggle.is_visible():  # the compact selector of small screens
        language_toggle.click()
    page.locator(f'.language-selector button[name="language"][value="{code}"]').click()


@pytest.mark.parametrize("javascript", [True, False])
def test_switching_language_keeps_the_state(browser, site, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport=PHONE)
    page = context.new_page()
    spanish = catalogue_path(page, site, "es")
    if javascript:  # the address changes in place (search.js): the selector must follow it
        page.goto(site.base_url + spanish)
        page.locator("#id_q").fill("zapatillas")
        expect(page).to_have_url(re.compile(r"\?q=zapatillas$"))
        toggle(page).click()
        page.locator("#id_sort").select_option("price")
        expect(page).to_have_url(re.compile(r"\?q=zapatillas&sort=price$"))
    else:
        page.goto(f"{site.base_url}{spanish}?q=zapatillas&sort=price&utm_source=mail")
    switch_to(page, "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    address = urlsplit(page.url)
    assert address.path == catalogue_path(page, site, "ja")
    assert parse_qs(address.query) == {"q": ["zapatillas"], "sort": ["price"]}
    expect(page.locator("#id_q")).to_have_value("zapatillas")
    expect(page.locator("#id_sort")).to_have_value("price")

    switch_to(page, "ar")  # and on from there
    assert urlsplit(page.url).path == catalogue_path(page, site, "ar")
    assert parse_qs(urlsplit(page.url).query) == {"q": ["zapatillas"], "sort": ["price"]}
    context.close()
