"""The secrets the CMS shares with the services: from settings (the environment), else the
development secret in VAR_DIR that the services of the same checkout read too."""

from django.conf import settings

from croody_core import introspection, session
from croody_core.paths import dev_secret


def session_secret() -> str:
    """Signs the croody_api token the services trust."""
    return settings.API_SESSION_SECRET or dev_secret(session.SECRET_FILE, settings.VAR_DIR)


def internal_secret() -> str:
    """What the services present to /internal/."""
    return settings.INTERNAL_API_SECRET or dev_secret(introspection.SECRET_FILE, settings.VAR_DIR)
