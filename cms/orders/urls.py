"""Under each language prefix: /<lang>/cart/…, /<lang>/checkout/…"""

from django.urls import path

from cms.orders import views

app_name = "orders"

urlpatterns = [
    path("cart/", views.cart_detail, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/update/", views.cart_update, name="cart_update"),
    path("checkout/", views.checkout, name="checkout"),
    path("checkout/<str:reference>/pay/", views.pay, name="pay"),
    path("checkout/<str:reference>/done/", views.done, name="done"),
    path("account/orders/", views.order_list, name="order_list"),
    path("account/orders/<str:reference>/", views.order_detail, name="order_detail"),
]
