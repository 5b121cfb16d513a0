"""The catalogue page: filters, sort, search and pagination from the URL; never a 500."""

import json
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from cms.shop.demo import ILLUSTRATIONS
from cms.shop.models import ProductPage

pytestmark = pytest.mark.django_db


def listing(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, response.context["catalogue"]


def all_titles(client, url) -> list[str]:
    """Titles over every page of results, following the page links like a visitor."""
    found = []
    while url:
        _response, catalogue = listing(client, url)
        found += [product.title for product in catalogue.products]
        url = catalogue.next_url
    return found


def spanish_products(shop):
    return list(ProductPage.objects.child_of(shop).live().select_related("category"))


def test_catalogue_lists_every_product_on_pages_of_twelve(client, shop):
    response, catalogue = listing(client, shop.url)
    total = len(spanish_products(shop))
    assert catalogue.count == total
    assert len(catalogue.products) == shop.products_per_page == 12
    html = response.content.decode()
    assert html.count('class="card product-card"') == 12
    assert 'rel="next"' in html and "data-live-search-link" in html
    assert sorted(all_titles(client, shop.url)) == sorted(p.title for p in spanish_products(shop))


@pytest.mark.parametrize(
    "params",
    [
        {"category": "zapatillas"},
        {"category": "sensores", "sort": "price"},
        {"availability": "in_stock", "sort": "-price"},
        {"min_price": "50", "max_price": "100", "sort": "name"},
        {"category": "recuperacion", "availability": "in_stock", "min_price": "30"},
        {"max_price": "40", "sort": "newest"},
        {"category": "robots", "min_price": "60", "max_price": "120", "sort": "-price"},
    ],
)
def test_filters_and_sorts_combine(client, shop, params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    expected = spanish_products(shop)
    if "category" in params:
        expected = [p for p in expected if p.category.slug == params["category"]]
    if params.get("availability") == "in_stock":
        expected = [p for p in expected if p.stock > 0]
    if "min_price" in params:
        expected = [p for p in expected if p.price >= Decimal(params["min_price"])]
    if "max_price" in params:
        expected = [p for p in expected if p.price <= Decimal(params["max_price"])]
    sort = params.get("sort", "newest")
    keys = {
        "price": lambda p: (p.price, p.pk),
        "-price": lambda p: (-p.price, -p.pk),
        "name": lambda p: (p.title, p.pk),
        "newest": lambda p: (-p.first_published_at.timestamp(), -p.pk),
    }
    expected = [p.title for p in sorted(expected, key=keys[sort])]
    assert expected, "the demo content should match every combination"
    assert all_titles(client, f"{shop.url}?{query}") == expected


def test_the_url_keeps_the_state_in_page_links(client, shop):
    _response, catalogue = listing(client, f"{shop.url}?availability=in_stock&sort=price")
    params = parse_qs(urlsplit(catalogue.next_url).query)
    assert params == {"availability": ["in_stock"], "sort": ["price"], "page": ["2"]}
    _response, second = listing(client, catalogue.next_url)
    assert second.page.number == 2
    assert parse_qs(urlsplit(second.previous_url).query) == {
        "availability": ["in_stock"],
        "sort": ["price"],
    }


def test_form_shows_the_filters_in_use(client, shop):
    response, _catalogue = listing(client, f"{shop.url}?category=sensores&min_price=10&q=pulso")
    html = response.content.decode()
    assert '<option value="sensores" selected>' in html
    assert 'name="min_price" value="10"' in html
    assert 'value="pulso"' in html
    assert "data-live-search" in html and "data-search-results" in html
    for field in ("q", "category", "min_price", "max_price", "availability", "sort"):
        assert f'for="id_{field}"' in html  # every field has a label


def test_search_in_spanish_finds_by_title_summary_and_category(client, shop):
    assert all_titles(client, f"{shop.url}?q=electrocardiograma") == [
        "Pulsómetro de pecho Pulso H2"
    ]
    # The title matches, and on PostgreSQL (stemming) the category "…y pulsómetros" too.
    _response, found = listing(client, f"{shop.url}?q=pulsómetro")
    assert "Pulsómetro de pecho Pulso H2" in [product.title for product in found.products]
    assert {product.category.slug for product in found.products} == {"sensores"}
    assert "Rodillo de masaje Suelta" in all_titles(client, f"{shop.url}?q=espuma")
    in_category = all_titles(client, f"{shop.url}?q=recuperación")
    assert {"Rodillo de masaje Suelta", "Botas de compresión Aire"} <= set(in_category)
    combined = all_titles(client, f"{shop.url}?q=zapatillas&availability=in_stock&sort=price")
    assert combined == [
        "Zapatillas Inicio",
        "Zapatillas Rodaje Suave",
        "Zapatillas Tempo 3",
        "Zapatillas Sendero GTX",
    ]


def test_search_is_limited_to_the_visitors_language(client, shop, make_product):
    english_shop = shop.get_translations().get(locale__language_code="en")
    make_product(english_shop, "Quokkaboard trainer", locale=english_shop.locale)
    # Every Spanish product has a version in every language; a search shows each once.
    assert all_titles(client, f"{shop.url}?q=tempo") == ["Zapatillas Tempo 3"]
    assert all_titles(client, f"{shop.url}?q=quokkaboard") == []
    _response, english = listing(client, f"{english_shop.url}?q=quokkaboard")
    assert [p.title for p in english.products] == ["Quokkaboard trainer"]
    assert all(p.locale_id == english_shop.locale_id for p in english.products)


def test_empty_results_say_so_and_offer_to_clear_filters(client, shop):
    response, catalogue = listing(client, f"{shop.url}?q=inexistente&category=robots")
    html = response.content.decode()
    assert catalogue.count == 0
    assert "Ningún producto coincide con «inexistente» con estos filtros." in html
    assert f'<a class="btn btn--secondary" href="{shop.url}">' in html


@pytest.mark.parametrize(
    "query",
    [
        "min_price=abc",
        "min_price=-10",
        "max_price=-0.01",
        "min_price=1e999",
        "max_price=NaN",
        "min_price=Infinity",
        "min_price=12.345",
        "page=abc",
        "page=0",
        "page=-1",
        "page=1.5",
        "page=99999",
        "page=" + "9" * 5000,
        "sort=price;drop",
        "sort=",
        "category=../../etc",
        "category=zapatillas&category=robots",
        "availability=maybe",
        "q=%00",
        "q=" + "x" * 1000,
        "q=%22%27%3C%3E%26%7C%21%28%29*:",
        "q=AND OR NOT",
        "q=-",
        "q=*",
        'q=l\'eau -x- "a" b*',
        "q=NEAR(a b)",
        "q=%E8%B7%91%E6%AD%A5%E9%9E%8B",
        "min_price=500&max_price=5",
        "unknown=1",
    ],
)
def test_bad_parameters_never_break_the_page(client, shop, query):
    response = client.get(f"{shop.url}?{query}")
    assert response.status_code == 200
    assert response.context["catalogue"].page.number >= 1


def test_bad_values_are_ignored_and_reported(client, shop):
    response, catalogue = listing(client, f"{shop.url}?min_price=abc&category=robots")
    assert catalogue.filters == {"category": "robots"}
    assert catalogue.count == 5
    html = response.content.decode()
    assert "se han ignorado" in html  # the Spanish page says it in Spanish
    assert 'name="min_price" value="abc"' not in html
    assert "min_price" not in catalogue.next_url


def test_a_page_past_the_end_shows_the_last_page(client, shop):
    _response, catalogue = listing(client, f"{shop.url}?page=500")
    assert catalogue.page.number == catalogue.paginator.num_pages == 3


def test_search_js_gets_only_the_results(client, shop):
    response = client.get(f"{shop.url}?category=sensores", HTTP_X_REQUESTED_WITH="fetch")
    html = response.content.decode()
    assert response.status_code == 200
    assert "X-Requested-With" in response["Vary"]
    assert "<html" not in html and "data-search-results" in html and "data-search-status" in html
    assert html.count('class="card product-card"') == 5
    full = client.get(f"{shop.url}?category=sensores")
    assert "<html" in full.content.decode()
    assert "X-Requested-With" in full["Vary"]


def test_catalogue_cards_use_responsive_lazy_webp_images(client, shop):
    html = client.get(shop.url).content.decode()
    assert 'type="image/webp"' in html and "srcset=" in html
    assert html.count('loading="lazy"') >= 12


def test_prices_are_written_for_the_language(client, shop):
    product = ProductPage.objects.get(locale=shop.locale, price=Decimal("79.90"))
    assert "79,90\xa0€" in client.get(product.url).content.decode()
    english = product.get_translation(Locale.objects.get(language_code="en"))
    en_html = client.get(english.url).content.decode()
    assert "€79.90" in en_html


def count_queries(client, url) -> int:
    client.get(url)  # warm-up: renditions are generated on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("query", ["", "?sort=price&availability=in_stock", "?q=producto&page=1"])
def test_query_count_does_not_grow_with_the_catalogue(
    client, empty_shop, make_product, category, query
):
    for number in range(10):
        make_product(empty_shop, f"Producto {number}", f"{number + 1}.00", category=category)
    url = empty_shop.url + query
    with_ten = count_queries(client, url)
    for number in range(10, 60):
        make_product(empty_shop, f"Producto {number}", f"{number + 1}.00", category=category)
    with_sixty = count_queries(client, url)
    assert with_ten == with_sixty, f"{with_ten} queries for 10 products, {with_sixty} for 60"
    _response, catalogue = listing(client, url)
    assert catalogue.count == 60 and len(catalogue.products) == 12


def json_ld(html: str):
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_product_page_shows_gallery_price_stock_specs_and_related(client, shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    response = client.get(tempo.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Zapatillas Tempo 3</h1>" in html
    assert "129,90\xa0€" in html and "CR-RUN-001" in html
    assert 'fetchpriority="high"' in html and 'loading="lazy"' in html  # the 2nd image waits
    assert 'type="image/webp"' in html and "srcset=" in html
    assert f'alt="{ILLUSTRATIONS["tempo-3"][3]}"' in html  # what the drawing shows
    assert '<th scope="row">Drop</th><td><bdi>8 mm</bdi></td>' in html
    for slug in ("rodaje-suave", "sensor-paso", "calcetines-compresion"):
        related = ProductPage.objects.get(locale=shop.locale, slug=slug)
        assert f'href="{related.url}"' in html
    assert "badge--success" in html  # in stock


def test_related_products_follow_the_language(client, shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    french = tempo.get_translations().get(locale__language_code="fr")
    response = client.get(french.url)
    assert response.status_code == 200
    related = response.context["details"].related_products
    assert len(related) == 3
    assert {page.locale.language_code for page in related} == {"fr"}


def test_out_of_stock_product_says_so(client, shop):
    elite = ProductPage.objects.get(locale=shop.locale, slug="pista-elite")
    html = client.get(elite.url).content.decode()
    assert "badge--danger" in html
    assert json_ld(html)["offers"]["availability"] == "https://schema.org/OutOfStock"


def test_json_ld_describes_the_product(client, shop):
    pulso = ProductPage.objects.get(locale=shop.locale, slug="pulso-h2")
    data = json_ld(client.get(pulso.url).content.decode())
    assert data["@context"] == "https://schema.org" and data["@type"] == "Product"
    assert data["name"] == "Pulsómetro de pecho Pulso H2"
    assert data["sku"] == "CR-SEN-001"
    assert data["category"] == "Sensores y pulsómetros"
    assert data["offers"] == {
        "@type": "Offer",
        "price": "79.90",
        "priceCurrency": "EUR",
        "availability": "https://schema.org/InStock",
        "url": pulso.get_full_url(),  # on SITE_URL, whatever Host the request named
    }
    root = pulso.get_site().root_url
    assert data["image"] and all(url.startswith(f"{root}/") for url in data["image"])


def test_json_ld_cannot_close_its_script_element(client, shop, make_product):
    sneaky = make_product(shop, "</script><script>alert(1)</script>", summary="a & b <i>")
    html = client.get(sneaky.url).content.decode()
    assert "</script><script>alert(1)" not in html
    assert json_ld(html)["name"] == "</script><script>alert(1)</script>"


def test_warm_catalogue_reuses_its_renditions(client, shop, monkeypatch):
    """The prefetched renditions must match {% picture %}'s filter specs exactly, or
    Wagtail regenerates every card image on every view."""
    from wagtail.images.models import AbstractImage

    urls = [shop.url, f"{shop.url}?page=2&sort=price"]
    for url in urls:
        client.get(url)  # creates the renditions once

    def refuse(image, *filters):  # Wagtail calls it with no filter when all were found
        if filters:
            raise AssertionError(f"renditions generated again: {[f.spec for f in filters]}")
        return {}

    monkeypatch.setattr(AbstractImage, "create_renditions", refuse)
    for url in urls:
        assert client.get(url).status_code == 200
