"""Demo content (issue #17): a drawn image per product with alt text in every language,
slugs in each language, permanent redirects from the old suffixed URLs, and setup bringing
a database built by the previous version up to date."""

import hashlib

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.contrib.redirects.models import Redirect
from wagtail.models import Locale, Page

from cms.base.demo.images import demo_image
from cms.base.models import NavigationMenu
from cms.home.models import HomePage, StandardPage
from cms.shop.demo import ILLUSTRATIONS, PRODUCTS
from cms.shop.models import ProductIndexPage, ProductPage

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]
OTHERS = [code for code in CODES if code != "es"]
EXPECTED = {  # a few slugs per language, as visitors see them
    "en": ["/en/privacy/", "/en/shop/", "/en/buddy/how-it-works/", "/en/shop/compression-socks/"],
    "fr": ["/fr/confidentialite/", "/fr/boutique/", "/fr/boutique/chaussettes-compression/"],
    "pt": ["/pt/privacidade/", "/pt/loja/", "/pt/loja/meias-compressao/"],
    "ja": ["/ja/privacy/", "/ja/shop/", "/ja/shop/tempo-3/"],
    "ar": ["/ar/about-croody/", "/ar/shop/inicio/"],
    "zh-hans": ["/zh-hans/robots/", "/zh-hans/shop/gps-module/"],
    "hi": ["/hi/buddy/progress/", "/hi/shop/carry-case/"],
}


def es_product(slug: str) -> ProductPage:
    return ProductPage.objects.get(locale__language_code="es", slug=slug)


def test_every_product_has_its_own_drawing():
    digests = set()
    for item in PRODUCTS:
        product = es_product(item.slug)
        image = product.gallery[0].value["image"]
        assert image.title == f"{item.title} (ilustración)"
        with image.file.open("rb") as file:
            digests.add(hashlib.sha256(file.read()).hexdigest())
    assert len(digests) == len(PRODUCTS)
    assert set(ILLUSTRATIONS) == {item.slug for item in PRODUCTS}


@pytest.mark.parametrize("code", CODES)
def test_gallery_alt_text_describes_the_drawing_in_each_language(code):
    spanish = {}
    for item in PRODUCTS:
        source = es_product(item.slug)
        product = source.get_translation(Locale.objects.get(language_code=code))
        alts = [block.value["alt_text"] for block in product.gallery]
        assert alts and all(alt and alt != product.title for alt in alts), alts
        spanish[item.slug] = [block.value["alt_text"] for block in source.gallery]
        if code != "es":
            assert alts != spanish[item.slug], (code, alts)
    assert len({alts[0] for alts in spanish.values()}) == len(PRODUCTS)


@pytest.mark.parametrize("code", OTHERS)
def test_slugs_are_in_the_language_and_old_suffixed_urls_redirect(client, code):
    for url in EXPECTED[code]:
        assert client.get(url).status_code == 200, url
    pages = Page.objects.filter(locale__language_code=code, alias_of__isnull=True, depth__gt=1)
    assert not [page.url for page in pages if page.url and page.slug.endswith(f"-{code}")]
    old = f"/{code}/tienda-{code}/rodillo-suelta-{code}/"
    response = client.get(old)
    assert response.status_code == 301
    assert (
        response["Location"]
        == ProductPage.objects.get(
            locale__language_code=code, translation_key=es_product("rodillo-suelta").translation_key
        ).url
    )
    assert client.get(f"/{code}/privacidad-{code}/").status_code == 301


def test_slugs_are_unique_among_siblings_and_home_pages():
    homes = HomePage.objects.all()
    assert len({home.slug for home in homes}) == len(CODES) == homes.count()
    for parent in Page.objects.filter(depth__gte=2):
        slugs = list(parent.get_children().values_list("slug", flat=True))
        assert len(slugs) == len(set(slugs)), parent


def make_it_old(code: str = "en") -> None:
    """What the previous version left: no shop/robots links, gradient product images,
    suffixed slugs and no redirects."""
    home = HomePage.objects.get(locale__language_code="es")
    shop = ProductIndexPage.objects.get(locale__language_code="es")
    robots = StandardPage.objects.get(locale__language_code="es", slug="robots")
    menu = NavigationMenu.objects.get(locale__language_code="es")
    menu.items = [b for b in menu.items.raw_data if b["value"]["page"] not in {shop.pk, robots.pk}]
    menu.save()
    cards = list(home.ecosystem.raw_data)
    for card in cards:
        if card["value"]["page"] in {shop.pk, robots.pk}:
            card["value"]["page"] = None
    home.ecosystem = cards
    home.save_revision().publish()
    tempo = es_product("tempo-3")
    gradient = demo_image("product-tempo-3", "Zapatillas Tempo 3", "", "crimson", 101)
    tempo.gallery = [
        {"type": "image", "value": {"image": gradient.pk, "alt_text": tempo.title, "caption": ""}}
    ]
    tempo.save_revision().publish()
    locale = Locale.objects.get(language_code=code)
    for source in (shop, StandardPage.objects.get(locale__language_code="es", slug="privacidad")):
        page = source.get_translation(locale)
        page.slug = f"{source.slug}-{code}"
        page.save_revision().publish()
    Redirect.objects.all().delete()


def test_setup_brings_an_old_database_up_to_date(client):
    make_it_old("en")
    assert client.get("/en/tienda-en/tempo-3/").status_code == 200  # the old state
    call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(NavigationMenu.objects.get(locale__language_code="es").items) == 5
    html = client.get("/es/").content.decode()
    cards = html[html.index("ecosystem") :]
    assert 'href="/es/tienda/"' in cards and 'href="/es/robots/"' in cards
    html = client.get("/en/").content.decode()
    assert 'href="/en/shop/"' in html and 'href="/en/robots/"' in html
    assert client.get("/en/privacy/").status_code == 200
    for old, new in [
        ("/en/privacidad-en/", "/en/privacy/"),
        ("/en/tienda-en/", "/en/shop/"),
        ("/en/tienda-en/tempo-3-en/", "/en/shop/tempo-3/"),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new), old
    tempo = es_product("tempo-3").get_translation(Locale.objects.get(language_code="en"))
    assert tempo.gallery[0].value["image"].title.endswith("(ilustración)")
    assert tempo.gallery[0].value["alt_text"].startswith("Drawing of a red running shoe")
