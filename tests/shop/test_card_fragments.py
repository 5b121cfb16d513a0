"""Product cards and the product page's body kept as fragments (cms/shop/templatetags/
shop_tags.py, product_page.html): the same markup, and every edit to what they show (a
product's title or price, its image, its category, its stock, a related product) on the
catalogue and the product page at the next render, with the page cache off.

The fragment cache is on here, with purge tokens of this module's own (tests.test_fragment_cache).
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.orders import stock
from cms.shop.models import ProductIndexPage, ProductPage, ProductRelation
from tests.test_fragment_cache import fragment_cache, render  # noqa: F401 - its autouse fixture

pytestmark = pytest.mark.django_db


def card(html: str, product: ProductPage) -> str:
    """The card of `product` in a page's HTML."""
    cards = re.findall(r'<li class="card product-card">.*?</li>', html, re.S)
    found = [text for text in cards if f'href="{product.url}"' in text]
    assert len(found) == 1, product.url
    return found[0]


def body(html: str) -> str:
    return re.search(r'<article class="section container stack product">.*?</article>', html, re.S)[
        0
    ]


def summary(html: str) -> str:
    """The product's own price, stock and cart form (the body has related cards too)."""
    return re.search(r'<div class="product__summary.*?class="product__sku"', html, re.S)[0]


@pytest.fixture
def pair(client) -> tuple[str, ProductPage, ProductPage]:
    """The catalogue's URL, a product on its first page and a product showing it as related."""
    catalogue = ProductIndexPage.objects.get(locale__language_code="es").url
    listed = client.get(catalogue).context["catalogue"].products
    relation = ProductRelation.objects.filter(
        product__in=listed, page__locale__language_code="es", page__live=True
    ).first()
    assert relation is not None
    product = ProductPage.objects.get(pk=relation.product_id)
    return catalogue, product, ProductPage.objects.get(pk=relation.page_id)


def test_cards_and_the_product_page_come_from_the_cache_with_the_same_markup(
    client, settings, pair
):
    catalogue, product, referrer = pair
    settings.FRAGMENT_CACHE_SECONDS = 0
    urls = (catalogue, product.url, referrer.url, f"{catalogue}?sort=price")
    rendered = {url: render(client, url) for url in urls}
    settings.FRAGMENT_CACHE_SECONDS = 3600
    for url, html in rendered.items():
        assert render(client, url) == html  # stored
        with CaptureQueriesContext(connection) as queries:
            assert render(client, url) == html
        # Neither the cards' images nor the related products are even queried.
        assert not [q for q in queries if "wagtailimages" in q["sql"] or "relation" in q["sql"]]


def test_a_product_edited_shows_at_once_on_its_card_and_pages(
    client, django_capture_on_commit_callbacks, pair
):
    catalogue, product, referrer = pair
    urls = (catalogue, product.url, referrer.url)
    for url in urls:
        render(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        product.title = "Zapatilla renovada"
        product.price = "123.45"
        product.save_revision().publish()
    for html in (render(client, url) for url in (catalogue, referrer.url)):
        assert "Zapatilla renovada" in card(html, product)
        assert "123,45" in card(html, product)
    page = render(client, product.url)
    assert "<h1>Zapatilla renovada</h1>" in body(page) and "123,45" in body(page)
    assert '"name": "Zapatilla renovada"' in page  # the JSON-LD


def test_an_image_edited_shows_at_once(client, django_capture_on_commit_callbacks, pair):
    catalogue, product, referrer = pair
    before = {url: card(render(client, url), product) for url in (catalogue, referrer.url)}
    image = product.main_image
    with django_capture_on_commit_callbacks(execute=True):
        image.focal_point_x, image.focal_point_y = 10, 10  # new crops for the cards
        image.focal_point_width, image.focal_point_height = 20, 20
        image.save()
    for url, old in before.items():
        new = card(render(client, url), product)
        assert new != old and "srcset=" in new


def test_a_category_renamed_shows_at_once(client, django_capture_on_commit_callbacks, pair):
    catalogue, product, referrer = pair
    for url in (catalogue, product.url, referrer.url):
        render(client, url)
    category = product.category
    with django_capture_on_commit_callbacks(execute=True):
        category.name = "Estantería nueva"
        category.save()
    for url in (catalogue, referrer.url):
        assert "Estantería nueva" in card(render(client, url), product)
    assert '<p class="product__category">Estantería nueva</p>' in render(client, product.url)


def test_stock_sold_out_shows_at_once(client, django_capture_on_commit_callbacks, pair):
    catalogue, product, referrer = pair
    product.refresh_from_db()
    assert product.stock > 0
    for url in (catalogue, referrer.url):
        assert "stock--out" not in card(render(client, url), product)
    assert "stock--out" not in summary(render(client, product.url))
    with django_capture_on_commit_callbacks(execute=True):
        stock.reserve({product.translation_key: product.stock}, {})  # the last units sold
    for url in (catalogue, referrer.url):
        sold_out = card(render(client, url), product)
        assert "stock--out" in sold_out and "add-to-cart" not in sold_out
    page = summary(render(client, product.url))
    assert "stock--out" in page and "add-to-cart" not in page


def test_a_related_product_edited_shows_at_once_on_the_product_page(
    client, django_capture_on_commit_callbacks, pair
):
    _catalogue, product, referrer = pair
    render(client, referrer.url)
    with django_capture_on_commit_callbacks(execute=True):
        product.title = "Relacionado renovado"
        product.save_revision().publish()
    assert "Relacionado renovado" in card(render(client, referrer.url), product)


def test_the_count_is_kept_until_a_product_sells_out_or_is_unpublished(
    client, django_capture_on_commit_callbacks, pair
):
    """The catalogue's count of matches is kept per filter set under the catalogue's purge
    tokens (cms/shop/presenters.py): not counted again on the next request, counted again
    as soon as what it counts changes."""
    catalogue, product, _ = pair
    in_stock = f"{catalogue}?availability=in_stock"

    def count(url: str) -> int:
        return client.get(url).context["catalogue"].count

    everything, available = count(catalogue), count(in_stock)
    assert product.stock > 0 and available <= everything
    with CaptureQueriesContext(connection) as queries:
        assert count(in_stock) == available
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]

    with django_capture_on_commit_callbacks(execute=True):
        stock.reserve({product.translation_key: product.stock}, {})  # sold out
    assert count(in_stock) == available - 1
    assert count(catalogue) == everything

    with django_capture_on_commit_callbacks(execute=True):
        product.unpublish()
    assert count(catalogue) == everything - 1
