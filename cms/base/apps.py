from django.apps import AppConfig


class BaseConfig(AppConfig):
    """Site-wide pieces: health checks, security policy, set-up commands, shared templates."""

    name = "cms.base"
    label = "base"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save
        from wagtail.models import Locale, Site

        from cms.base import security_events
        from cms.base.locales import forget_locales
        from cms.base.sites import forget_sites

        security_events.connect()  # the security log's receivers (cms/base/security_events.py)
        for signal in (post_save, post_delete):  # each process keeps the Locales in memory
            signal.connect(forget_locales, sender=Locale, dispatch_uid=f"forget-locales-{signal}")
            signal.connect(forget_sites, sender=Site, dispatch_uid=f"forget-sites-{signal}")
