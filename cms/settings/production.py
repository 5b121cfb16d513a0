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
# Signs the croody_api cookie the APIs trust (cms/accounts/api_session.py); the APIs get the same.
API_SESSION_SECRET = os.environ.get("API_SESSION_SECRET", "").strip()
if len(API_SESSION_SECRET) < 32:
    raise ImproperlyConfigured(
        "API_SESSION_SECRET must be set to a random string of at least 32 characters in "
        "production, shared with the telemetry and IDS services, "
        'e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"'
    )
DEBUG = False

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]  # load balancers probe over plain HTTP
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
