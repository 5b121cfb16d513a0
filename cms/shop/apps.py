from django.apps import AppConfig


class ShopConfig(AppConfig):
    """Product catalogue pages (their models arrive with the shop issue)."""

    name = "cms.shop"
    label = "shop"
