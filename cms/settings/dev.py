"""`make run`: everything embedded, a per-checkout secret key, and the visitor's error pages.

DEBUG is off unless the environment says DEBUG=1: visitors of `make run` see the translated
404 and 500 pages, not Django's debug pages (whose 404 lists every URL pattern).
"""

import os
import secrets

from .base import *  # noqa: F403
from .base import STORAGES, VAR_DIR, env_bool


def _dev_secret_key() -> str:
    """Keep one random key per checkout so sessions survive restarts without committing a key."""
    path = VAR_DIR / "dev-secret-key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG")  # DEBUG=1: Django's debug pages, with tracebacks
if DEBUG and "FRAGMENT_CACHE_SECONDS" not in os.environ:
    # Django reads edited templates again under DEBUG: no fragment may outlive its template.
    FRAGMENT_CACHE_SECONDS = 0
SECRET_KEY = os.environ.get("SECRET_KEY") or _dev_secret_key()
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Static files from the source folders, looked up on every request (what DEBUG did): edits
# and new files show without collectstatic. Plain names, not the manifest's hashed ones,
# which would need a collectstatic after each edit now that DEBUG is off.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
WHITENOISE_MAX_AGE = 0
LOCAL_FILES = STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
if LOCAL_FILES:  # not with the S3 variables set: those files are served by S3
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
# Uploaded files (images, avatars) from MEDIA_ROOT, as static() did under DEBUG (cms/urls.py).
# Development only: production serves them from S3 or the web server, never through Django.
SERVE_MEDIA = LOCAL_FILES
