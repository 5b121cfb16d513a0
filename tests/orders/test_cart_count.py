"""The header's cart count: right after every change, on every device of the account,
although signed-in pages read it from the cache (cms.orders.cart.CART_COUNT)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.orders.test_checkout import buy

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Correct-9"


CART_LINK = re.compile(
    r'<a [^>]*href="/es/cart/">[^<]*(?:<span class="badge"><span aria-hidden="true">(\d+)<)?'
)


def in_cart(client: Client) -> int:
    """The count in the header's cart link (0: no badge)."""
    link = CART_LINK.search(client.get("/es/").content.decode())
    assert link, "no cart link in the header"
    return int(link.group(1) or 0)


@pytest.fixture
def ana(db):
    return get_user_model().objects.create_user("ana", "ana@example.com", PASSWORD)


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_add_update_and_remove_show_on_every_device(ana, product):
    phone, laptop = signed_in_as(ana), signed_in_as(ana)
    assert in_cart(phone) == in_cart(laptop) == 0
    phone.post("/es/cart/add/", {"product": product.pk, "quantity": "2"})
    assert in_cart(phone) == in_cart(laptop) == 2
    key = str(product.translation_key)
    laptop.post("/es/cart/update/", {"product": key, "quantity": "3"})
    assert in_cart(phone) == in_cart(laptop) == 3
    phone.post("/es/cart/update/", {"product": key, "quantity": "3", "remove": "1"})
    assert in_cart(phone) == in_cart(laptop) == 0


def test_a_paid_order_empties_the_count(ana, product):
    client = signed_in_as(ana)
    buy(client, product, "es", quantity=2)
    assert in_cart(client) == 0


def test_signing_in_adds_the_visitors_cart_and_signing_out_leaves_it(ana, product):
    laptop = signed_in_as(ana)
    laptop.post("/es/cart/add/", {"product": product.pk, "quantity": "2"})
    assert in_cart(laptop) == 2
    phone = Client()
    phone.post("/es/cart/add/", {"product": product.pk, "quantity": "1"})
    assert in_cart(phone) == 1  # an anonymous visitor's cart, in the session
    response = phone.post("/es/account/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 302
    assert in_cart(phone) == in_cart(laptop) == 3
    phone.post("/es/account/logout/")
    assert in_cart(phone) == 0  # signed out: the account's cart stays with the account
    assert in_cart(laptop) == 3
