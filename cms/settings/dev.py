"""`make run`: debug on, everything embedded, a per-checkout secret key."""

import os
import secrets

from .base import *  # noqa: F403
from .base import VAR_DIR


def _dev_secret_key() -> str:
    """Keep one random key per checkout so sessions survive restarts without committing a key."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = True
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
WHITENOISE_USE_FINDERS = True  # edits to static files show without collectstatic
