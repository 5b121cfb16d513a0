"""Orders in the Wagtail admin: listing, filters, search, status changes, permissions."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from cms.orders.models import Order, OrderLine
from cms.shop.models import ProductPage
from tests.orders.conftest import ADDRESS

pytestmark = pytest.mark.django_db
LIST = "/admin/snippets/orders/order/"


def place(product: ProductPage, email: str, country: str = "ES") -> Order:
    line = OrderLine.snapshot(product.translation_key, product.sku, product.title, product.price, 1)
    fields = {**ADDRESS, "email": email}
    fields.pop("country")
    return Order.place([line], country, language="es", currency="EUR", **fields)


@pytest.fixture
def manager(db):
    user = get_user_model().objects.create_user("boss", "boss@example.com", "pw-Correct-9")
    group = Group.objects.create(name="Order managers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="orders", codename__in=["view_order", "change_order"]
        ),
    )
    user.groups.add(group)
    return user


def test_list_filter_and_search(client, manager, product):
    paid = place(product, "ana@example.com")
    paid.change_status(Order.Status.PAID)
    pending = place(product, "luis@example.com", country="FR")
    client.force_login(manager)
    html = client.get(LIST).content.decode()
    assert paid.reference in html and pending.reference in html
    html = client.get(LIST, {"status": "paid"}).content.decode()
    assert paid.reference in html and pending.reference not in html
    html = client.get(LIST, {"country": "FR"}).content.decode()
    assert pending.reference in html and paid.reference not in html
    html = client.get(LIST, {"q": "luis@"}).content.decode()
    assert pending.reference in html and paid.reference not in html
    html = client.get(LIST, {"q": paid.reference}).content.decode()
    assert paid.reference in html and pending.reference not in html
    inspect = client.get(f"{LIST}inspect/{paid.pk}/")
    assert inspect.status_code == 200 and product.sku in inspect.content.decode()
    assert client.get(f"{LIST}add/").status_code in {302, 403}  # orders come from buyers


def test_mark_shipped_and_cancel(client, manager, product):
    order = place(product, "ana@example.com")
    order.change_status(Order.Status.PAID)
    stock = ProductPage.objects.get(pk=product.pk).stock
    client.force_login(manager)
    edit = f"{LIST}edit/{order.pk}/"
    assert client.get(edit).status_code == 200
    client.post(edit, {"status": "cancelled"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert ProductPage.objects.get(pk=product.pk).stock == stock + 1
    # Not a move allowed from cancelled: refused by the form.
    response = client.post(edit, {"status": "shipped"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED


def test_editors_without_the_permission_see_no_orders(client, product):
    place(product, "ana@example.com")
    editor = get_user_model().objects.create_user("ed", "ed@example.com", "pw-Correct-9")
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(LIST).status_code in {302, 403}
    assert LIST not in client.get("/admin/").content.decode()
