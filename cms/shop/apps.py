from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The shop: catalogue and product pages, categories, the headless API (/api/v2/)."""

    name = "cms.shop"
    label = "shop"
