from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RobotsConfig(AppConfig):
    """Users' robots: "My robots" on the profile page, the staff fleet view, demo robots."""

    name = "cms.robots"
    label = "robots"
    verbose_name = _("Robots")
