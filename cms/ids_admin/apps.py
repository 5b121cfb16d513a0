from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdsAdminConfig(AppConfig):
    """The analysts' view of the IDS in the Wagtail admin: alerts, a chart, the model card."""

    name = "cms.ids_admin"
    label = "ids_admin"
    verbose_name = _("IDS analysts")
