"""The cart: add, update, remove, merge on sign-in, and bad input answered with a 4xx."""

import pytest
from django.contrib.auth import get_user_model

from cms.orders.cart import SESSION_KEY
from cms.orders.models import CartItem
from cms.shop.models import ProductPage
from tests.orders.conftest import version

pytestmark = pytest.mark.django_db


def add(client, product, quantity="1", lang="es", **extra):
    return client.post(f"/{lang}/cart/add/", {"product": product, "quantity": quantity}, **extra)


def test_add_from_the_product_page_and_the_catalogue(client, product):
    html = client.get(product.url).content.decode()
    assert 'action="/es/cart/add/"' in html and 'name="quantity"' in html
    assert "csrfmiddlewaretoken" not in html  # the page stays cacheable
    response = add(client, product.pk, "2")
    assert response.status_code == 302 and response["Location"] == "/es/cart/"
    cart = client.get("/es/cart/")
    assert cart.status_code == 200
    assert product.title in cart.content.decode()
    assert "private" in cart["Cache-Control"] or "no-cache" in cart["Cache-Control"]
    assert client.session[SESSION_KEY] == {str(product.translation_key): 2}


def test_the_cart_shows_each_product_in_the_pages_language(client, product):
    add(client, product.pk)
    japanese = version(product, "ja")
    html = client.get("/ja/cart/").content.decode()
    assert japanese.title in html
    assert 'lang="ja"' in html


def test_quantities_are_capped_by_stock_and_the_maximum(client, product, settings):
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=3)
    add(client, product.pk, "2")
    add(client, product.pk, "2")
    assert client.session[SESSION_KEY][str(product.translation_key)] == 3
    response = client.get("/es/cart/")
    assert "3" in response.content.decode()
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=500)
    add(client, product.pk, str(settings.CART_MAX_QUANTITY))
    assert client.session[SESSION_KEY][str(product.translation_key)] == settings.CART_MAX_QUANTITY


def test_update_and_remove(client, product):
    add(client, product.pk, "1")
    key = str(product.translation_key)
    response = client.post("/es/cart/update/", {"product": key, "quantity": "2"})
    assert response.status_code == 302
    assert client.session[SESSION_KEY][key] == 2
    client.post("/es/cart/update/", {"product": key, "quantity": "2", "remove": "1"})
    assert key not in client.session[SESSION_KEY]
    empty = client.get("/es/cart/").content.decode()
    assert "Tu carrito está vacío" in empty or 'href="/es/' in empty


@pytest.mark.parametrize(
    "product_value, quantity, status",
    [
        ("abc", "1", 404),
        ("999999999", "1", 404),
        ("-1", "1", 404),
        ("1\x00", "1", 404),
        (None, "abc", 400),
        (None, "-3", 400),
        (None, "0", 400),
        (None, "99999999999999999999", 400),
        (None, "1\x00", 400),
    ],
)
def test_bad_input_is_a_clear_4xx(client, product, product_value, quantity, status):
    response = add(client, product.pk if product_value is None else product_value, quantity)
    assert response.status_code == status
    assert 'role="alert"' in response.content.decode()


def test_a_page_that_is_not_a_product_is_refused(client):
    from wagtail.models import Page

    home = Page.objects.get(depth=2, locale__language_code="es")
    assert add(client, home.pk).status_code == 404


def test_out_of_stock_and_unpublished_products_are_refused(client, product):
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=0)
    assert add(client, product.pk).status_code == 409
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=5, live=False)
    assert add(client, product.pk).status_code == 404


def test_update_refuses_bad_input(client, product):
    add(client, product.pk)
    assert client.post("/es/cart/update/", {"product": "x", "quantity": "1"}).status_code == 400
    other = "00000000-0000-0000-0000-000000000000"
    assert client.post("/es/cart/update/", {"product": other, "quantity": "1"}).status_code == 404
    key = str(product.translation_key)
    assert client.post("/es/cart/update/", {"product": key, "quantity": "-1"}).status_code == 400


def test_a_post_from_another_site_is_refused(client, product):
    response = add(client, product.pk, HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert SESSION_KEY not in client.session
    assert add(client, product.pk, HTTP_ORIGIN="http://testserver").status_code == 302


def test_the_session_cart_merges_into_the_account_on_sign_in(client, product):
    user = get_user_model().objects.create_user("ana", "ana@example.com", "pw-Correct-9")
    CartItem.objects.create(user=user, product_key=product.translation_key, quantity=1)
    add(client, product.pk, "2")
    old_session = client.session.session_key
    response = client.post("/es/account/login/", {"username": "ana", "password": "pw-Correct-9"})
    assert response.status_code == 302
    assert client.session.session_key != old_session
    assert CartItem.objects.get(user=user).quantity == 3
    assert SESSION_KEY not in client.session
    assert product.title in client.get("/es/cart/").content.decode()
