from django.apps import AppConfig


class HomeConfig(AppConfig):
    """Marketing pages: the home page and standard pages."""

    name = "cms.home"
    label = "home"
