"""The shop and the robots page are reachable from every language's header, footer and
home page cards (issue #17): editors' menu and footer snippets, translated per locale."""

import re

import pytest
from django.conf import settings
from wagtail.models import Locale

from cms.base.models import NavigationMenu, SiteFooter
from cms.home.models import StandardPage
from cms.shop.models import ProductIndexPage

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]


def section(html: str, start: str, end: str) -> str:
    return html[html.index(start) : html.index(end, html.index(start))]


def links(html: str) -> list[str]:
    return re.findall(r'<a[^>]* href="([^"]+)"', html)


def shop_and_robots(code: str) -> tuple[str, str]:
    locale = Locale.objects.get(language_code=code)
    shop = ProductIndexPage.objects.get(locale=locale)
    robots = StandardPage.objects.get(
        locale=locale,
        translation_key=StandardPage.objects.get(
            slug="robots", locale__language_code="es"
        ).translation_key,
    )
    return shop.url, robots.url


@pytest.mark.parametrize("code", CODES)
def test_header_footer_and_cards_link_the_shop_and_robots_page(client, code):
    shop, robots = shop_and_robots(code)
    html = client.get(f"/{code}/").content.decode()
    header = section(html, 'class="site-nav__list"', "</ul>")
    footer = section(html, 'class="site-footer__links"', "</ul>")
    cards = section(html, "ecosystem", "</section>")
    for part in (header, footer, cards):
        assert {shop, robots} <= set(links(part)), part
    for url in {*links(header), *links(footer)}:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("code", CODES)
def test_menus_are_translated_snippets_of_each_locale(code):
    menu = NavigationMenu.objects.get(locale__language_code=code)
    footer = SiteFooter.objects.get(locale__language_code=code)
    labels = [item.value["label"] for item in menu.items]
    assert len(labels) == 5 and len(footer.links) == 5
    if code != "es":
        assert "Tienda" not in labels


@pytest.mark.parametrize("code", ["es", "en", "ja", "ar"])
def test_robots_page_explains_the_telemetry_and_links_the_profile(client, code):
    _shop, robots = shop_and_robots(code)
    html = client.get(robots).content.decode()
    assert f'href="/{code}/account/profile/"' in html
    assert f'href="/{code}/account/signup/"' in html
    assert "API" in html
    assert client.get(f"/{code}/account/signup/").status_code == 200
