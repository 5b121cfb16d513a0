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
for _alias in ("pages", "shared"):
    CACHES[_alias]["KEY_PREFIX"] = f"croody-test-{os.getpid()}-{_alias}"
    if CACHES[_alias]["BACKEND"].endswith("FileBasedCache"):
        CACHES[_alias]["LOCATION"] = str(VAR_DIR / "cache" / _alias)
# Tests change pages inside transactions that never commit, so the purges (run on commit)
# would not happen: the page cache is off unless a test turns it on (tests/test_page_cache.py).
PAGE_CACHE_SECONDS = 0
FRAGMENT_CACHE_SECONDS = 0  # the same: on in the tests of cms/pagecache/fragments.py
