"""Fragments every page repeats (header menu, footer, language selector), cached as HTML
(cms/pagecache/fragments.py): the same markup as rendered, and never stale, with the page
cache off, for anonymous and signed-in visitors alike.

Each test turns the fragment cache on with purge tokens of its own (the suite runs with it
off, see cms/settings/test.py); the purges that wait for the commit run when each
`committed()` block ends.
"""

import re
import uuid

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import Page
from wagtail_localize.synctree import create_aliases_for_new_page

from cms.base.models import NavigationMenu, SiteFooter
from cms.buddy.models import BuddyIndexPage, BuddyPage
from cms.home.models import HomePage, StandardPage
from cms.pagecache.signals import purging
from cms.shop.models import ProductIndexPage

pytestmark = pytest.mark.django_db
CHROME_TABLES = ("base_navigationmenu", "base_sitefooter")


@pytest.fixture(autouse=True)
def fragment_cache(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every page rendered: only fragments come from a cache
    settings.FRAGMENT_CACHE_SECONDS = 3600
    pages = {**settings.CACHES["pages"], "KEY_PREFIX": f"fragment-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "pages": pages}
    caches["fragments"].clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def render(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["X-Page-Cache"] == "bypass"  # rendered, not a cached page
    return response.content.decode()


def navigation(html: str) -> str:
    return re.search(r'<ul class="site-nav__list".*?</ul>', html, re.S).group(0)


def chrome_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        render(client, url)
    return [q["sql"] for q in queries if any(table in q["sql"] for table in CHROME_TABLES)]


def test_fragments_come_from_the_cache_with_the_same_markup(client, settings):
    catalogue = ProductIndexPage.objects.get(locale__language_code="es").url
    settings.FRAGMENT_CACHE_SECONDS = 0
    rendered = {url: render(client, url) for url in ("/es/", catalogue, "/ar/")}
    settings.FRAGMENT_CACHE_SECONDS = 3600
    for url, html in rendered.items():
        assert render(client, url) == html  # stored
        assert chrome_queries(client, url) == []  # menu and footer not even queried
        assert render(client, url) == html
    # The menu marks the page shown: each page has its own.
    assert f'href="{catalogue}" aria-current="page"' in navigation(render(client, catalogue))
    assert 'aria-current="page"' not in navigation(render(client, "/es/"))[:60]


def test_editing_the_footer_or_the_menu_shows_on_the_next_render(client, committed):
    assert "Nuevo lema" not in render(client, "/es/")
    footer = SiteFooter.objects.get(locale__language_code="es")
    with committed():
        footer.tagline = "Nuevo lema"
        footer.copyright = "© Croody, nuevo"
        footer.save()
    html = render(client, "/es/")
    assert '<p class="site-header__tagline">Nuevo lema</p>' in html
    assert '<p class="site-footer__tagline">Nuevo lema</p>' in html
    assert "© Croody, nuevo" in html

    menu = NavigationMenu.objects.get(locale__language_code="es")
    items = menu.items.raw_data
    with committed():
        menu.items = [{**items[0], "value": {**items[0]["value"], "label": "Portada"}}, *items[1:]]
        menu.save()
    assert ">Portada</a>" in navigation(render(client, "/es/"))
    assert ">Portada</a>" not in navigation(render(client, "/en/"))  # its own menu


def test_a_page_the_menu_links_to_published_under_a_new_slug(client, committed):
    catalogue = ProductIndexPage.objects.get(locale__language_code="es")
    assert 'href="/es/tienda/"' in navigation(render(client, "/es/"))
    with committed():
        catalogue.slug = "tienda-nueva"
        catalogue.save_revision().publish()
    menu = navigation(render(client, "/es/"))
    assert 'href="/es/tienda-nueva/"' in menu and 'href="/es/tienda/"' not in menu


def test_a_translation_replacing_its_alias_updates_the_language_selector(client, committed):
    with committed():
        page = HomePage.objects.get(locale__language_code="es").add_child(
            instance=StandardPage(title="Hidratación", slug="hidratación")
        )
        create_aliases_for_new_page(page)
    french = Page.objects.get(translation_key=page.translation_key, locale__language_code="fr")
    french_button = 'value="fr" lang="fr" title='  # marked "not translated yet"
    assert french_button in render(client, page.url)
    assert french_button in render(client, page.url)  # from the cache
    with committed():
        ConvertAliasPageAction(french.specific).execute()  # as wagtail-localize does
    assert french_button not in render(client, page.url)


def test_a_page_published_shows_its_new_content_at_once(client, committed):
    home = HomePage.objects.get(locale__language_code="es")
    assert "Entrena con Croody" not in render(client, "/es/")
    render(client, "/es/")  # from the cache
    with committed():
        home.intro = "Entrena con Croody, nueva versión"
        home.save_revision().publish()
    assert "Entrena con Croody, nueva versión" in render(client, "/es/")


def test_a_new_buddy_topic_is_listed_at_once(client, committed):
    buddy = BuddyIndexPage.objects.get(locale__language_code="es")
    assert "Hidratación" not in render(client, buddy.url)
    render(client, buddy.url)  # from the cache
    with committed():
        buddy.add_child(instance=BuddyPage(title="Hidratación", slug="hidratacion"))
    assert "Hidratación" in render(client, buddy.url)


def test_signed_in_pages_share_the_fragments_but_not_their_tokens(client, django_user_model):
    anonymous = render(client, "/es/")
    user = django_user_model.objects.create_user("ana", "ana@example.com", "pw-Correct-9")
    client.force_login(user)
    signed_in = render(client, "/es/")
    # The selector's CSRF token is outside the cached part: each visitor gets their own.
    assert 'name="csrfmiddlewaretoken"' in signed_in
    assert navigation(signed_in) == navigation(anonymous)
    client.logout()
    client.cookies.clear()
    assert "csrfmiddlewaretoken" not in render(client, "/es/")


def test_purges_run_with_the_page_cache_off(settings):
    assert purging()  # the fragment cache needs them
    settings.FRAGMENT_CACHE_SECONDS = 0
    assert not purging()
