from django.apps import AppConfig


class BaseConfig(AppConfig):
    """Site-wide pieces: health checks, security policy, set-up commands, shared templates."""

    name = "cms.base"
    label = "base"

    def ready(self) -> None:
        from cms.base import security_events

        security_events.connect()  # the security log's receivers (cms/base/security_events.py)
