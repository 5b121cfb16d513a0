"""The page cache: anonymous visitors get whole pages from it, and it is never stale.

Each test turns the cache on with a namespace of its own (the suite runs with it off, see
cms/settings/test.py). Changes are committed for real as far as the cache can tell: the
purges that wait for the commit run when each `committed()` block ends.
"""

import uuid
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail_localize.synctree import create_aliases_for_new_page

from cms.base.models import NavigationMenu, SiteFooter
from cms.home.blocks import LIVE_FIGURE_MAX_AGE
from cms.home.models import HomePage, StandardPage
from cms.shop.models import ProductCategory, ProductIndexPage, ProductPage

LANGUAGES = [code for code, _name in django_settings.LANGUAGES]
pytestmark = pytest.mark.django_db


class RecordingBackend:
    """A frontend-cache backend that records what it is asked to purge (AWS cannot run here)."""

    purged: list[str] = []

    def __init__(self, params: dict) -> None:
        self.hostnames = ["*"]

    def invalidates_hostname(self, hostname: str) -> bool:
        return True

    def purge_batch(self, urls: list[str]) -> None:
        RecordingBackend.purged.extend(urls)


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    settings.PAGE_CACHE_STALE_SECONDS = 60
    pages = {**settings.CACHES["pages"], "KEY_PREFIX": f"page-cache-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "pages": pages}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed(): …` runs the on-commit callbacks (the purges) at the block's end."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def visit(client, url: str, **headers) -> tuple[int, str, str]:
    """(status, X-Page-Cache, body) of an anonymous GET."""
    response = client.get(url, **headers)
    return response.status_code, response.get("X-Page-Cache", ""), response.content.decode()


def warm(client, *urls: str) -> None:
    for url in urls:
        status, cache_status, _html = visit(client, url)
        assert status == 200, url
        assert cache_status in {"miss", "hit"}, (url, cache_status)
        assert visit(client, url)[1] == "hit", url


def cache_status(client, url: str) -> str:
    return visit(client, url)[1]


def home(code: str) -> HomePage:
    return HomePage.objects.get(locale__language_code=code)


def product(slug: str, code: str = "es") -> ProductPage:
    index = ProductIndexPage.objects.get(locale__language_code=code)
    return ProductPage.objects.child_of(index).get(translation_key=_product_key(slug))


def _product_key(slug: str):
    return ProductPage.objects.get(locale__language_code="es", slug=slug).translation_key


def test_anonymous_visitors_get_the_page_from_the_cache_per_language(client):
    status, first, html = visit(client, "/es/")
    assert (status, first) == (200, "miss")
    response = client.get("/es/")
    assert response["X-Page-Cache"] == "hit"
    assert response.content.decode() == html
    # Browsers ask again each time (no stale copies there: no purge reaches them); the CDN
    # keeps it, and may answer from an expired copy while it fetches a new one. The home page
    # shows live fleet figures, so it is kept a minute, not PAGE_CACHE_SECONDS.
    assert set(response["Cache-Control"].replace(" ", "").split(",")) == {
        "public",
        "max-age=0",
        f"s-maxage={LIVE_FIGURE_MAX_AGE}",
    }
    assert response["CDN-Cache-Control"] == (
        f"public, max-age={LIVE_FIGURE_MAX_AGE}, stale-while-revalidate=60"
    )
    assert "Cookie" in response["Vary"]  # signed-in visitors get another page
    # Another language is another page.
    english = client.get("/en/")
    assert english["X-Page-Cache"] == "miss"
    assert english.content.decode() != html
    # The catalogue's results-only variant (search.js) is kept apart from the full page.
    shop = ProductIndexPage.objects.get(locale__language_code="es").url
    warm(client, shop)
    status, fragment_status, fragment = visit(client, shop, HTTP_X_REQUESTED_WITH="fetch")
    assert fragment_status == "miss" and "<html" not in fragment
    assert "<html" in visit(client, shop)[2]


def test_signed_in_visitors_neither_read_nor_fill_the_cache(client, django_user_model):
    warm(client, "/es/")
    user = django_user_model.objects.create_user("ana", "ana@example.com", "pw-Correct-9")
    client.force_login(user)
    response = client.get("/es/")
    assert response["X-Page-Cache"] == "bypass"
    assert "private" in response["Cache-Control"]
    signed_in_html = response.content.decode()
    assert 'class="account-links__logout"' in signed_in_html
    client.logout()
    client.cookies.clear()
    _status, cache_status, html = visit(client, "/es/")
    assert cache_status == "hit" and 'class="account-links__logout"' not in html


def test_a_page_with_a_form_is_never_cached(client):
    """A password-protected page answers with a CSRF-protected form: never stored."""
    page = StandardPage.objects.filter(locale__language_code="es").first()
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secreto"
    )
    for _ in range(2):
        response = client.get(page.url)
        assert response.status_code == 200 and "csrfmiddlewaretoken" in response.content.decode()
        assert response["X-Page-Cache"] == "bypass"
        assert "private" in response["Cache-Control"]


def test_previews_never_reach_the_cache(client, admin_client):
    page = StandardPage.objects.filter(locale__language_code="es").first()
    warm(client, page.url)
    page.title = "Borrador que nadie debe ver"
    page.save_revision()
    preview = admin_client.get(f"/admin/pages/{page.pk}/view_draft/")
    assert preview.status_code == 200
    assert "Borrador que nadie debe ver" in preview.content.decode()
    assert "X-Page-Cache" not in preview
    _status, cache_status, html = visit(client, page.url)
    assert cache_status == "hit" and "Borrador que nadie debe ver" not in html


def test_publishing_a_page_shows_the_change_in_every_language_where_it_shows(client, committed):
    """A new Spanish page gets an alias in each language tree (as the admin does)."""
    with committed():
        page = home("es").add_child(
            instance=StandardPage(title="Caché", slug="cache", intro="Primera versión")
        )
        create_aliases_for_new_page(page)
    urls = [version.url for version in Page.objects.filter(translation_key=page.translation_key)]
    assert len(urls) == len(LANGUAGES)
    warm(client, *urls, "/es/", "/fr/")
    with committed():
        page.intro = "Segunda versión"
        page.save_revision().publish()
    for url in urls:
        status, cache_status, html = visit(client, url)
        assert status == 200 and cache_status == "miss", url
        assert "Segunda versión" in html and "Primera versión" not in html, url
        assert visit(client, url)[1] == "hit"
    # Home pages show nothing of it: they stay cached.
    assert cache_status_of(client, "/es/", "/fr/") == ["hit", "hit"]


def test_a_translation_replacing_its_alias_updates_every_language_selector(client, committed):
    with committed():
        page = home("es").add_child(instance=StandardPage(title="Hidratación", slug="hidratación"))
        create_aliases_for_new_page(page)
    french = Page.objects.get(translation_key=page.translation_key, locale__language_code="fr")
    french_button = 'value="fr" lang="fr" title='  # marked "not translated yet"
    warm(client, page.url, french.url)
    assert french_button in visit(client, page.url)[2]
    with committed():
        ConvertAliasPageAction(french.specific).execute()  # as wagtail-localize does
    _status, cache_status, html = visit(client, page.url)
    assert cache_status == "miss" and french_button not in html


def cache_status_of(client, *urls: str) -> list[str]:
    return [cache_status(client, url) for url in urls]


def test_publishing_a_product_purges_exactly_the_pages_that_show_it(client, committed):
    tempo = product("tempo-3")
    shown_on = [
        tempo.url,
        tempo.get_parent().url,  # the catalogue lists it
        f"{tempo.get_parent().url}?page=2",  # and each of the catalogue's pages
        product("pista-elite").url,  # related products show its card
        product("calcetines-compresion").url,
    ]
    unaffected = [product("bateria-r1").url, "/es/", product("tempo-3", "fr").url]
    warm(client, *shown_on, *unaffected)
    with committed():
        tempo.price = Decimal("199.95")
        tempo.save_revision().publish()
    assert cache_status_of(client, *shown_on) == ["miss"] * len(shown_on)
    assert "199,95" in visit(client, tempo.url)[2]
    assert "199,95" in visit(client, f"{tempo.get_parent().url}?q=tempo")[2]
    assert cache_status_of(client, *unaffected) == ["hit"] * len(unaffected)


def test_publishing_a_translation_purges_only_its_language(client, committed):
    french = product("tempo-3", "fr")
    spanish = product("tempo-3")
    warm(client, french.url, french.get_parent().url, spanish.url, spanish.get_parent().url)
    with committed():
        french.title = "Chaussures Tempo 3 (nouvelle édition)"
        french.save_revision().publish()
    _status, cache_status, html = visit(client, french.url)
    assert cache_status == "miss" and "nouvelle édition" in html
    assert "nouvelle édition" in visit(client, product("pista-elite", "fr").url)[2]
    assert cache_status_of(client, spanish.url, spanish.get_parent().url) == ["hit", "hit"]


def test_unpublishing_moving_and_deleting_never_leave_a_stale_page(client, committed):
    catalogue = ProductIndexPage.objects.get(locale__language_code="es")
    base = product("base-carga")
    gps = product("modulo-gps")
    socks = product("calcetines-compresion")
    warm(client, catalogue.url, base.url, gps.url, socks.url)

    with committed():
        base.unpublish()
    assert client.get(base.url).status_code == 404
    assert base.title not in visit(client, catalogue.url)[2]

    about = StandardPage.objects.filter(locale__language_code="es").first()
    old_url = gps.url
    with committed():
        gps.move(catalogue, pos="first-child")  # to the top of the catalogue: same URL
        gps.move(about, pos="last-child")  # out of the catalogue: a new URL
    gps.refresh_from_db()
    moved = client.get(old_url)  # not the cached page: Wagtail's redirect to its new place
    assert (moved.status_code, moved["Location"]) == (301, gps.url)
    assert visit(client, gps.url)[0] == 200
    assert gps.title not in visit(client, catalogue.url)[2]

    with committed():
        socks.delete()
    assert client.get(socks.url).status_code == 404


def test_a_new_slug_purges_the_whole_section_under_it(client, committed):
    catalogue = ProductIndexPage.objects.get(locale__language_code="es")
    tempo = product("tempo-3")
    old = [catalogue.url, tempo.url]
    warm(client, *old)
    with committed():
        catalogue.slug = "tienda-nueva"
        catalogue.save_revision().publish()
    new = ["/es/tienda-nueva/", "/es/tienda-nueva/tempo-3/"]
    assert [client.get(url)["Location"] for url in old] == new  # redirects, not cached pages
    assert [client.get(url).status_code for url in new] == [200, 200]


def test_editing_the_footer_purges_every_page_of_its_language_only(client, committed):
    french = ["/fr/", product("tempo-3", "fr").url, product("tempo-3", "fr").get_parent().url]
    others = ["/es/", "/en/", product("tempo-3").url]
    warm(client, *french, *others)
    footer = SiteFooter.objects.get(locale__language_code="fr")
    with committed():
        footer.tagline = "Nouveau slogan"
        footer.save()
    for url in french:
        _status, cache_status, html = visit(client, url)
        assert cache_status == "miss" and "Nouveau slogan" in html, url
    assert cache_status_of(client, *others) == ["hit"] * len(others)


def test_a_language_without_its_own_menu_follows_the_spanish_one(client, committed):
    with committed():
        NavigationMenu.objects.filter(locale__language_code="ja").delete()
    warm(client, "/ja/", "/es/", "/en/")
    menu = NavigationMenu.objects.get(locale=Locale.get_default())
    with committed():
        menu.items = [*menu.items.raw_data, _link("Novedades")]
        menu.save()
    assert "Novedades" in visit(client, "/es/")[2]
    assert "Novedades" in visit(client, "/ja/")[2]
    assert cache_status(client, "/en/") == "hit"  # English has its own menu


def _link(label: str) -> dict:
    return {
        "type": "link",
        "value": {"label": label, "page": None, "url": "https://croody.example/"},
    }


def test_renaming_a_category_purges_the_pages_that_show_it(client, committed):
    category = ProductCategory.objects.get(locale__language_code="es", slug="zapatillas")
    catalogue = ProductIndexPage.objects.get(locale__language_code="es").url
    shown_on = [
        catalogue,
        product("tempo-3").url,  # in the category
        product("sensor-paso").url,  # shows Tempo 3's card, with its category
    ]
    unaffected = [product("bateria-r1").url, product("tempo-3", "fr").url, "/es/"]
    warm(client, *shown_on, *unaffected)
    with committed():
        category.name = "Calzado de running"
        category.save()
    for url in shown_on:
        _status, cache_status, html = visit(client, url)
        assert cache_status == "miss" and "Calzado de running" in html, url
    assert cache_status_of(client, *unaffected) == ["hit"] * len(unaffected)


def test_the_cdn_is_told_the_same_paths(client, committed, settings):
    settings.WAGTAILFRONTENDCACHE = {"cdn": {"BACKEND": "tests.test_page_cache.RecordingBackend"}}
    RecordingBackend.purged = []
    footer = SiteFooter.objects.get(locale__language_code="pt")
    tempo = product("tempo-3")
    with committed():
        footer.copyright = "© Croody"
        footer.save()
        tempo.stock += 1
        tempo.save_revision().publish()
    purged = set(RecordingBackend.purged)
    root = settings.SITE_URL  # the default site's address (setup_croody)
    assert f"{root}/pt/*" in purged  # every Portuguese page
    assert {f"{root}{tempo.url}", f"{root}{tempo.url}?*"} <= purged
    catalogue = tempo.get_parent().url
    assert f"{root}{catalogue}?*" in purged  # every page of results and filter
    assert not any(url.startswith(f"{root}/en/") for url in purged)


def test_the_cache_is_off_when_its_lifetime_is_zero(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response = client.get("/es/")
        assert response["X-Page-Cache"] == "bypass"
        assert "private" in response["Cache-Control"]
