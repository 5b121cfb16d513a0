"""The page cache never stores a page with a cart or a CSRF token."""

import uuid

import pytest

from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 600
    pages = {**settings.CACHES["pages"], "KEY_PREFIX": f"orders-cache-test-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "pages": pages}


def test_product_pages_stay_cacheable_with_the_add_form(client, product):
    first = client.get(product.url)
    assert first["X-Page-Cache"] == "miss"
    assert 'action="/es/cart/add/"' in first.content.decode()
    assert "csrfmiddlewaretoken" not in first.content.decode()
    assert client.get(product.url)["X-Page-Cache"] == "hit"


def test_pages_with_a_cart_or_a_csrf_token_are_never_stored(client, product):
    for url in ["/es/cart/", "/es/checkout/"]:
        response = client.get(url)
        assert response.get("X-Page-Cache", "") != "hit"
        assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]
    client.post("/es/cart/add/", {"product": product.pk, "quantity": "1"})
    for _ in range(2):
        for url in ["/es/cart/", "/es/checkout/", product.url]:
            response = client.get(url)
            assert response.get("X-Page-Cache", "") != "hit", url
            assert "private" in response["Cache-Control"], url
    checkout = client.get("/es/checkout/").content.decode()
    assert "csrfmiddlewaretoken" in checkout
    # A stranger without a session gets the product page without anybody's cart.
    client.cookies.clear()
    stranger = client.get(product.url)
    assert stranger["X-Page-Cache"] in {"hit", "miss"}
    assert "csrfmiddlewaretoken" not in stranger.content.decode()
    assert 'class="badge"' not in stranger.content.decode()
    assert ADDRESS["email"] not in stranger.content.decode()
