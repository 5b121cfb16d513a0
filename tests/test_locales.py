"""The active Locale and a page's language version come from memory (cms.base.locales), with
exactly Wagtail's answers, and a page's links cost no query each."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from wagtail.models import Locale, Page

from cms.base import locales
from cms.base.locales import active_locale, default_locale, localize_all, localized
from cms.base.models import NavigationMenu
from cms.home.models import StandardPage
from cms.shop.models import ProductIndexPage

pytestmark = pytest.mark.django_db


def spanish_shop() -> ProductIndexPage:
    return ProductIndexPage.objects.get(locale__language_code="es")


@pytest.mark.parametrize("code", ["es", "ar", "zh-hans", "hi"])
def test_the_active_and_default_locales_are_wagtails_without_a_query(code):
    active_locale()  # loaded once per process
    expected = Locale.objects.get(language_code=code)
    with translation.override(code):
        with CaptureQueriesContext(connection) as queries:
            found, default = active_locale(), default_locale()
        assert found == expected == Locale.get_active()
    assert default == Locale.get_default()
    assert len(queries) == 0


def test_an_unknown_language_falls_back_to_the_default_locale():
    with translation.override("de"):
        assert active_locale() == Locale.get_default()


@pytest.mark.parametrize("code", ["es", "en", "ar", "ja"])
def test_localized_gives_what_wagtail_gives(code):
    page = spanish_shop()
    with translation.override(code):
        assert localized(page) == page.localized
        assert localized(page).locale.language_code == code


def test_a_draft_translation_never_replaces_the_page():
    page = spanish_shop()
    arabic = page.get_translation(Locale.objects.get(language_code="ar"))
    arabic.unpublish()
    with translation.override("ar"):
        assert localized(page) == page.localized == page


def test_a_page_without_translation_is_its_own_localized_version():
    home = Page.objects.get(locale__language_code="es", depth=2)
    lone = home.add_child(instance=StandardPage(title="Solo en español", slug="solo"))
    with translation.override("ja"):
        assert localized(lone) == lone.localized == lone


def test_localize_all_resolves_many_pages_with_one_query():
    pages = list(Page.objects.filter(locale__language_code="es", depth__gt=1).live())
    assert len(pages) > 10
    with translation.override("fr"):
        expected = [page.localized for page in pages]
        with CaptureQueriesContext(connection) as queries:
            localize_all(pages)
            resolved = [localized(page) for page in pages]
    assert len(queries) == 1
    assert resolved == expected
    with translation.override("es"):  # remembered for French only
        assert [localized(page) for page in pages] == pages


def test_a_saved_locale_is_seen_at_once():
    active_locale()
    locale = Locale.objects.get(language_code="hi")
    locale.save()
    assert locales._loaded is None


def header_queries(client, code: str) -> int:
    client.get(f"/{code}/")  # warm: renditions, the site root paths
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/{code}/").status_code == 200
    return len(queries)


@pytest.mark.parametrize("code", ["es", "ar"])
def test_more_menu_links_cost_no_more_queries(client, code):
    before = header_queries(client, code)
    with translation.override(code):
        menu = NavigationMenu.objects.for_active_locale()
    for page in Page.objects.filter(locale__language_code="es", depth=3).live()[:6]:
        menu.items.append(("link", {"label": page.title, "page": page, "url": ""}))
    menu.save()
    assert header_queries(client, code) == before
