from django.apps import AppConfig


class BaseConfig(AppConfig):
    """Site-wide pieces: health checks, security policy, set-up commands, shared templates."""

    name = "cms.base"
    label = "base"
