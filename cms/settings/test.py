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
CACHES["pages"]["KEY_PREFIX"] = f"croody-test-{os.getpid()}-pages"
if CACHES["pages"]["BACKEND"].endswith("FileBasedCache"):
    CACHES["pages"]["LOCATION"] = str(VAR_DIR / "cache" / "pages")
# Tests change pages inside transactions that never commit, so the purges (run on commit)
# would not happen: the page cache is off unless a test turns it on (tests/test_page_cache.py).
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0  # the same: on in the tests of cms/pagecache/fragments.py
