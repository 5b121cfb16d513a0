"""The shop in a real browser: filter, sort, search, paginate and open a product, with
JavaScript on (search.js swaps the results in place) and off (plain GET forms)."""

import json
import re

import pytest
from playwright.sync_api import Page, expect

CATALOGUE = "/es/tienda/"
MARKER = "window.__croodyNoReload"


def cards(page: Page):
    return page.locator("[data-search-results] .product-card")


def titles(page: Page):
    return page.locator("[data-search-results] .product-card .card__title")


def submit(page: Page) -> None:
    page.locator(".catalogue__filters button[type=submit]").click()


def open_first_product(page: Page) -> None:
    link = titles(page).first.locator("a")
    name = link.inner_text()
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
    assert data["@type"] == "Product" and data["name"] == name
    expect(page.locator(".product__price")).to_contain_text("€")


def test_catalogue_with_javascript_updates_in_place(page: Page, site, console_errors):
    page.goto(site.base_url + CATALOGUE)
    expect(cards(page)).to_have_count(12)
    page.evaluate(f"{MARKER} = 'same document'")

    page.locator("#id_category").select_option("sensores")
    expect(page).to_have_url(re.compile(r"\?category=sensores$"))
    expect(cards(page)).to_have_count(5)
    expect(page.locator("[data-search-status]")).to_contain_text("5")

    page.locator("#id_sort").focus()
    page.locator("#id_sort").select_option("price")
    expect(page).to_have_url(re.compile(r"\?category=sensores&sort=price$"))
    expect(titles(page).first).to_have_text("Sensor de cadencia Paso")

    # As a visitor does: focus moves from the select to the search box (search.js starts
    # a new history entry for a run of keystrokes when focus changes).
    page.locator("#id_q").click()
    page.locator("#id_q").fill("pulso")
    expect(page).to_have_url(re.compile(r"\?q=pulso&category=sensores&sort=price$"))
    expect(titles(page)).to_have_text(
        ["Brazalete óptico Ritmo", "Pulsómetro de pecho Pulso H2", "Medidor de potencia Vatio"]
    )
    assert page.evaluate(MARKER) == "same document"  # no full page load so far

    page.go_back()  # the results before the search come back, and so do the fields
    expect(page).to_have_url(re.compile(r"\?category=sensores&sort=price$"))
    expect(cards(page)).to_have_count(5)
    expect(page.locator("#id_q")).to_have_value("")
    page.go_back()
    expect(page).to_have_url(re.compile(r"\?category=sensores$"))
    expect(page.locator("#id_sort")).to_have_value("")
    page.go_back()
    expect(page).to_have_url(site.base_url + CATALOGUE)
    expect(cards(page)).to_have_count(12)
    expect(page.locator("#id_category")).to_have_value("")
    assert page.evaluate(MARKER) == "same document"

    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator('.pagination a[aria-current="page"]')).to_have_text("2")
    page.locator(".pagination a[rel=next]").click()
    expect(page).to_have_url(re.compile(r"\?page=3$"))
    expect(cards(page)).to_have_count(1)
    assert page.evaluate(MARKER) == "same document"

    open_first_product(page)  # a product is an ordinary link: a new page
    assert page.evaluate(f"typeof {MARKER}") == "undefined"
    assert console_errors == []


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_catalogue_without_javascript(no_js_page: Page, site):
    page = no_js_page
    page.goto(site.base_url + CATALOGUE)
    expect(cards(page)).to_have_count(12)

    page.locator("#id_category").select_option("sensores")
    page.locator("#id_sort").select_option("-price")
    submit(page)
    expect(page).to_have_url(re.compile(r"category=sensores.*sort=-price"))
    expect(cards(page)).to_have_count(5)
    expect(titles(page).first).to_have_text("Medidor de potencia Vatio")

    page.locator("#id_category").select_option("")
    page.locator("#id_q").fill("zapatillas")
    page.locator("#id_availability").select_option("in_stock")
    page.locator("#id_sort").select_option("price")
    submit(page)
    expect(page).to_have_url(re.compile(r"q=zapatillas"))
    expect(titles(page)).to_have_text(
        [
            "Zapatillas Inicio",
            "Zapatillas Rodaje Suave",
            "Zapatillas Tempo 3",
            "Zapatillas Sendero GTX",
        ]
    )

    page.goto(site.base_url + CATALOGUE + "?min_price=abc&sort=price")
    expect(page.locator(".alert--warning")).to_be_visible()
    expect(cards(page)).to_have_count(12)

    page.locator(".catalogue__actions a").click()  # clear filters
    expect(page).to_have_url(site.base_url + CATALOGUE)
    page.locator(".pagination a[rel=next]").click()  # to the results' top
    expect(page).to_have_url(re.compile(r"\?page=2#catalogue-results$"))
    expect(page.locator('.pagination a[aria-current="page"]')).to_have_text("2")
    page.go_back()
    expect(page).to_have_url(site.base_url + CATALOGUE)

    page.locator("#id_q").fill("sin resultados posibles")
    submit(page)
    expect(page.locator(".empty-state")).to_be_visible()
    page.locator(".empty-state a").click()
    expect(cards(page)).to_have_count(12)

    open_first_product(page)


def test_filters_are_reachable_with_the_keyboard(page: Page, site):
    page.goto(site.base_url + CATALOGUE)
    page.locator("#id_q").focus()
    page.keyboard.type("rodillo")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=rodillo$"))
    expect(titles(page)).to_have_text(["Rodillo de masaje Suelta"])
    titles(page).first.locator("a").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Rodillo de masaje Suelta")
