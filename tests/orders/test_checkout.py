"""Checkout to a paid test order in es, ar and ja; the email in the buyer's language;
declined payments and cancellations give the stock back; My orders shows only your own."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.orders.models import Order
from cms.shop.models import ProductPage
from tests.orders.conftest import ADDRESS, version

pytestmark = pytest.mark.django_db


def stock_of(product: ProductPage) -> set[int]:
    """The stock of every version of the product (they must agree)."""
    return set(
        ProductPage.objects.filter(translation_key=product.translation_key).values_list(
            "stock", flat=True
        )
    )


def buy(client, product, lang: str, quantity: int = 2, outcome: str = "approve") -> Order:
    shown = version(product, lang)
    client.post(f"/{lang}/cart/add/", {"product": shown.pk, "quantity": str(quantity)})
    page = client.get(f"/{lang}/checkout/")
    assert page.status_code == 200
    assert "csrfmiddlewaretoken" in page.content.decode()
    response = client.post(f"/{lang}/checkout/", ADDRESS)
    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.latest("pk")
    assert response["Location"] == f"/{lang}/checkout/{order.reference}/pay/"
    pay_page = client.get(response["Location"]).content.decode()
    assert order.reference in pay_page
    done = client.post(response["Location"], {"outcome": outcome})
    assert done["Location"] == f"/{lang}/checkout/{order.reference}/done/"
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    "lang, thanks, subject",
    [
        ("es", "Gracias por tu pedido", "Tu pedido de Croody"),
        ("ar", "شكرًا لطلبك", "طلبك من Croody"),
        ("ja", "ご注文ありがとうございます", "Croody のご注文"),
    ],
)
def test_guest_checkout_to_a_paid_order(client, product, lang, thanks, subject):
    before = stock_of(product)
    assert len(before) == 1
    order = buy(client, product, lang)
    assert order.status == Order.Status.PAID and order.paid_at
    assert order.language == lang and order.currency == "EUR" and order.user is None
    assert stock_of(product) == {before.pop() - 2}
    line = order.lines.get()
    assert line.title == version(product, lang).title and line.quantity == 2
    assert order.total == order.subtotal + order.shipping + order.tax
    html = client.get(f"/{lang}/checkout/{order.reference}/done/").content.decode()
    assert thanks in html and order.reference in html
    assert len(mail.outbox) == 1 and subject in mail.outbox[0].subject
    assert mail.outbox[0].to == [ADDRESS["email"]]
    assert "Your payment" not in mail.outbox[0].body  # not English
    assert client.get(f"/{lang}/cart/").context["lines"] == []  # paid: the cart is emptied


def test_paying_twice_changes_nothing(client, product):
    order = buy(client, product, "es")
    stock = stock_of(product)
    again = client.post(f"/es/checkout/{order.reference}/pay/", {"outcome": "decline"})
    assert again.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.PAID
    assert stock_of(product) == stock and len(mail.outbox) == 1


def test_a_declined_payment_releases_the_stock_and_keeps_the_cart(client, product):
    before = stock_of(product)
    order = buy(client, product, "es", outcome="decline")
    assert order.status == Order.Status.PAYMENT_FAILED and order.stock_released
    assert stock_of(product) == before
    assert mail.outbox == []
    assert len(client.get("/es/cart/").context["lines"]) == 1


def test_checkout_errors_are_shown_next_to_the_fields(client, product):
    client.post("/es/cart/add/", {"product": product.pk, "quantity": "1"})
    response = client.post("/es/checkout/", {**ADDRESS, "email": "nope", "country": "XX"})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"email", "country"}
    assert Order.objects.count() == 0
    assert client.get("/es/checkout/").status_code == 200


def test_checkout_with_an_empty_cart_goes_back_to_the_cart(client):
    assert client.get("/es/checkout/")["Location"] == "/es/cart/"


def test_tax_follows_the_country(client, product, settings):
    settings.TAX_RATES = {"ES": "0.21", "FR": "0.20"}
    client.post("/es/cart/add/", {"product": product.pk, "quantity": "1"})
    client.post("/es/checkout/", {**ADDRESS, "country": "FR"})
    assert Order.objects.get().tax_rate == Decimal("0.20")


def test_signed_in_orders_are_in_my_orders_and_nobody_elses(client, product):
    users = get_user_model().objects
    ana = users.create_user("ana", "ana@example.com", "pw-Correct-9")
    client.force_login(ana)
    order = buy(client, product, "es")
    assert order.user == ana
    assert order.reference in client.get("/es/account/orders/").content.decode()
    assert client.get(f"/es/account/orders/{order.reference}/").status_code == 200
    assert order.reference in client.get("/es/account/profile/").content.decode()
    client.force_login(users.create_user("eve", "eve@example.com", "pw-Correct-9"))
    assert order.reference not in client.get("/es/account/orders/").content.decode()
    assert client.get(f"/es/account/orders/{order.reference}/").status_code == 404
    assert client.get(f"/es/checkout/{order.reference}/done/").status_code == 404
    assert client.get(f"/es/checkout/{order.reference}/pay/").status_code == 404
    client.logout()
    assert client.get("/es/account/orders/").status_code == 302  # to sign in


def test_cancelling_releases_the_stock_once(client, product):
    order = buy(client, product, "es")
    before = stock_of(product).pop()
    assert order.change_status(Order.Status.CANCELLED)
    assert not order.change_status(Order.Status.CANCELLED)
    assert stock_of(product) == {before + 2}
    assert not order.change_status(Order.Status.PAID)  # not from cancelled


def place_unpaid(client, product, quantity: int) -> Order:
    client.post("/es/cart/add/", {"product": product.pk, "quantity": str(quantity)})
    assert client.post("/es/checkout/", ADDRESS).status_code == 302
    return Order.objects.latest("pk")


def test_unpaid_orders_give_their_stock_back_after_the_payment_window(client, product, settings):
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=1)
    abandoned = place_unpaid(client, product, 1)
    assert stock_of(product) == {0}
    # Within the window the unit stays reserved for the first buyer...
    assert call_command_output("release_expired_orders") == "0 unpaid order(s) cancelled"
    assert stock_of(product) == {0}
    # ...after it, the cron command gives it back, once.
    Order.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.ORDER_PAYMENT_MINUTES + 1)
    )
    assert call_command_output("release_expired_orders") == "1 unpaid order(s) cancelled"
    assert call_command_output("release_expired_orders") == "0 unpaid order(s) cancelled"
    abandoned.refresh_from_db()
    assert abandoned.status == Order.Status.CANCELLED and stock_of(product) == {1}


def test_a_buyer_gets_the_unit_an_expired_order_held_without_the_cron_job(product, settings):
    """Adding to a cart and checking out cancel expired orders first."""
    ProductPage.objects.filter(translation_key=product.translation_key).update(stock=1)
    abandoned = place_unpaid(Client(), product, 1)
    Order.objects.filter(pk=abandoned.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.ORDER_PAYMENT_MINUTES + 1)
    )
    second = place_unpaid(Client(), product, 1)
    assert second != abandoned and second.status == Order.Status.PENDING_PAYMENT
    abandoned.refresh_from_db()
    assert abandoned.status == Order.Status.CANCELLED
    assert stock_of(product) == {0}


def call_command_output(name: str) -> str:
    out = io.StringIO()
    call_command(name, stdout=out)
    return out.getvalue().strip()
