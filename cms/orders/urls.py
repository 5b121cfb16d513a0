"""Under each language prefix: /<lang>/cart/…, /<lang>/checkout/…"""

from django.urls import path, register_converter

from cms.orders import views


class ReferenceConverter:
    """An order reference as new_reference() makes them ("CR-7KQ2M9XA"): anything else is a
    404 before a view or the database sees it (PostgreSQL refuses a NUL in a string)."""

    regex = "CR-[A-Z0-9]{1,13}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "reference")

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<reference:reference>/pay/", views.pay, name="pay"),
    path("checkout/<reference:reference>/done/", views.done, name="done"),
    path("account/orders/", views.order_list, name="order_list"),
    path("account/orders/<reference:reference>/", views.order_detail, name="order_detail"),
]
