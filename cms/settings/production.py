"""Production: refuses to start without a secret key; HTTPS everywhere.

TLS ends at the gateway (nginx or the ALB), which sets X-Forwarded-Proto.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random string of at least 50 characters in production, "
        'e.g. python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )
# API_SESSION_SECRET signs the croody_api token the services trust (croody_core/session.py);
# the services present INTERNAL_API_SECRET to /internal/ (croody_core/introspection.py).
for _name in ("API_SESSION_SECRET", "INTERNAL_API_SECRET"):
    if len(os.environ.get(_name, "").strip()) < 32:
        raise ImproperlyConfigured(
            f"{_name} must be set to a random string of at least 32 characters in "
            "production, shared with the telemetry and IDS services, "
            'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
DEBUG = False
# The public address: SITE_URL (compose.yaml and terraform set it), else https:// and the first
# ALLOWED_HOSTS entry, which deployments make the site's domain.
if not os.environ.get("SITE_URL", "").strip():
    _hosts = [host.lstrip(".") for host in ALLOWED_HOSTS if host.strip(".*")]  # noqa: F405
    if not _hosts:
        raise ImproperlyConfigured(
            "SITE_URL must be set in production: the public address, e.g. https://croody.example"
        )
    SITE_URL = WAGTAILAPI_BASE_URL = f"https://{_hosts[0]}"
    if not os.environ.get("WAGTAILADMIN_BASE_URL", "").strip():
        WAGTAILADMIN_BASE_URL = SITE_URL

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$", r"^internal/"]  # probes, and the services inside
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
