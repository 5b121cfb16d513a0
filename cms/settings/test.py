"""pytest: production-like (DEBUG off), with a fast hasher and throw-away files."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import CACHES, STORAGES

SECRET_KEY = os.environ.get("SECRET_KEY", "test-only-secret-key-not-for-production")
DEBUG = False
VAR_DIR = Path(tempfile.mkdtemp(prefix="croody-test-"))
MEDIA_ROOT = VAR_DIR / "media"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir()
# Argon2 is deliberately slow; tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
WHITENOISE_USE_FINDERS = True
# Keep this run's keys apart from any other process sharing the Redis server.
CACHES["default"]["KEY_PREFIX"] = f"croody-test-{os.getpid()}"
