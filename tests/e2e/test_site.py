"""The foundation's promise, as a visitor and an editor see it in a real browser."""

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from cms.base.demo.content import HOME_PAGE
from cms.base.demo.loader import catalogue

CODES = [code for code, _name in settings.LANGUAGES]


def title_in(code: str) -> str:
    title = HOME_PAGE["title"]
    return title if code == "es" else catalogue()[title][code]


def language_link(page: Page, code: str):
    return page.locator(f'.language-selector button[value="{code}"]')


@pytest.mark.browser_context_args(locale="de-DE")  # a language Croody does not offer
def test_root_lands_on_spanish_and_switches_to_arabic(page: Page, site, console_errors):
    page.goto(site.base_url + "/")
    expect(page).to_have_url(site.base_url + "/es/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    language_link(page, "ar").click()
    expect(page).to_have_url(site.base_url + "/ar/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    direction = page.locator("main").evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    expect(page.get_by_role("heading", level=1)).to_have_text(title_in("ar"))
    assert console_errors == []


@pytest.mark.parametrize("code", CODES)
def test_home_page_in_every_language(page: Page, site, code):
    page.goto(f"{site.base_url}/{code}/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", code)
    expect(html).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
    expect(page.get_by_role("heading", level=1)).to_have_text(title_in(code))


@pytest.mark.browser_context_args(locale="fr-FR")
def test_root_follows_the_browser_language(page: Page, site):
    page.goto(site.base_url + "/")
    expect(page).to_have_url(site.base_url + "/fr/")


def test_language_choice_is_remembered_at_the_root(page: Page, site):
    page.goto(site.base_url + "/es/")
    language_link(page, "ja").click()
    expect(page).to_have_url(site.base_url + "/ja/")
    page.goto(site.base_url + "/")
    expect(page).to_have_url(site.base_url + "/ja/")


def test_admin_login_with_the_printed_password(page: Page, site):
    page.goto(site.base_url + "/admin/")
    page.get_by_label("Username").or_(page.get_by_label("Nombre de usuario")).fill(
        site.admin_username
    )
    page.locator("input[name=password]").fill(site.admin_password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(site.base_url + "/admin/")
    expect(page.locator("#wagtail-sidebar, [data-side-panel], .sidebar").first).to_be_attached()


@pytest.mark.parametrize(
    ("service", "title"), [("telemetry", "Croody Telemetry"), ("ids", "Croody IDS")]
)
def test_api_docs_render_from_our_own_files(page: Page, site, console_errors, service, title):
    external = []
    page.on(
        "request",
        lambda request: not request.url.startswith(site.base_url) and external.append(request.url),
    )
    page.goto(f"{site.base_url}/api/{service}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text(title)
    expect(page.get_by_text(f"/api/{service}/healthz")).to_be_visible()
    assert external == []
    assert console_errors == []


def test_apis_reachable_on_the_same_origin(page: Page, site):
    for service in ("telemetry", "ids"):
        response = page.request.get(f"{site.base_url}/api/{service}/healthz")
        assert response.status == 200
        assert response.json()["service"] == service
