from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    """The cart, checkout, payments and orders of the shop (cms.shop holds the products)."""

    name = "cms.orders"
    label = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from cms.orders import signals  # noqa: F401  (connects the receivers)
