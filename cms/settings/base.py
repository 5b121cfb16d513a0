"""Settings shared by every environment.

Everything that differs between machines comes from environment variables with
embedded defaults, so a fresh checkout runs on SQLite, local-memory cache and
local files with no configuration at all. `.env.example` lists every variable.
"""

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

from cms.settings.s3 import media_origin, s3_storages
from observability.logging import logging_config

PROJECT_DIR = Path(__file__).resolve().parent.parent  # cms/
BASE_DIR = PROJECT_DIR.parent  # repository root
VAR_DIR = Path(os.environ.get("CROODY_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The services' own secrets: the croody_api token the CMS signs, and the one they present to
# /internal/. Empty here: development keeps one of each in VAR_DIR (production requires them).
API_SESSION_SECRET = os.environ.get("API_SESSION_SECRET", "").strip()
INTERNAL_API_SECRET = os.environ.get("INTERNAL_API_SECRET", "").strip()
# Where the CMS reaches the services' HTTP APIs (e.g. http://telemetry:9000); empty: in the
# same process, through the gateway (`make run`).
TELEMETRY_API_URL = os.environ.get("TELEMETRY_API_URL", "").strip()
IDS_API_URL = os.environ.get("IDS_API_URL", "").strip()
SERVICE_TIMEOUT_SECONDS = float(os.environ.get("SERVICE_TIMEOUT_SECONDS", "5"))

INSTALLED_APPS = [
    "cms.base",
    "cms.accounts",
    "cms.robots",  # users' robots: My robots, the fleet view, demo robots
    "cms.home",
    "cms.buddy",
    "cms.shop",
    "cms.orders",  # cart, checkout, payments and orders (docs/orders.md)
    "cms.ids_admin",  # the IDS analysts' view in the admin (alerts, chart, model card)
    "cms.pagecache",
    "wagtail_localize",
    "wagtail_localize.locales",  # replaces wagtail.locales: adds sync from the default locale
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "wagtail.api.v2",
    "rest_framework",
    "corsheaders",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
]

MIDDLEWARE = [
    # Outermost: the security log (cms/base/security_events.py) sees every 401/403 answered,
    # and requests that did not come through observability.instrument get a request id.
    "cms.base.security_events.SecurityEventsMiddleware",
    # Then: a stored page keeps every header the others add, so cms.pagecache.asgi can send
    # it without Django; it only answers GETs of pages from visitors without a session.
    "cms.pagecache.middleware.PageCacheMiddleware",
    "corsheaders.middleware.CorsMiddleware",  # before anything that may answer first
    # HSTS on /health/ too, but before host validation (SSL redirect exempts /health/)
    "django.middleware.security.SecurityMiddleware",
    "cms.base.middleware.HealthCheckMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cms.base.csp.CroodyCSPMiddleware",
    "cms.base.middleware.SessionMiddleware",  # Django's, ignoring malformed session keys
    "cms.base.middleware.LocaleMiddleware",  # Django's, leaving /api/ and /internal/ alone
    "cms.base.sites.SiteMiddleware",  # the Wagtail Site from memory, not a query per page
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "cms.accounts.middleware.ApiSessionMiddleware",  # the APIs' croody_api cookie
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "cms.base.middleware.StorageErrorMiddleware",  # S3 down: a clear message, not a 500
    "axes.middleware.AxesMiddleware",  # last: turns a locked sign-in into the lockout page
]

ROOT_URLCONF = "cms.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "cms.base.context_processors.site_chrome",
                "cms.accounts.context_processors.preferences",
            ],
        },
    },
]

WSGI_APPLICATION = "cms.wsgi.application"
ASGI_APPLICATION = "cms.asgi.application"

# Database: SQLite in var/ unless DATABASE_URL names another one. The CMS runs under ASGI,
# where Django gives each request a thread of its own: a connection kept after the request
# (DB_CONN_MAX_AGE > 0) is never reused and piles up (measured: 13 open after 421 requests),
# so the default is one connection per request. Reuse under ASGI needs a pool (Django's
# psycopg 3 pool, or PgBouncer in front). Kept connections are checked before reuse.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cms.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, otherwise per-process local memory. "pages" holds whole
# pages (cms.pagecache); without Redis it is a folder, so every worker sees the same purges.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHE_KEY_PREFIX = os.environ.get("CACHE_KEY_PREFIX", "croody")
PAGE_CACHE_DIR = VAR_DIR / "cache" / "pages"
if REDIS_URL:
    _redis: dict = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 1,
            "SOCKET_TIMEOUT": 1,
        },
    }
    CACHES = {
        "default": {**_redis, "KEY_PREFIX": CACHE_KEY_PREFIX},
        "pages": {**_redis, "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-pages"},
        "shared": {**_redis, "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-shared"},
    }
    # A Redis outage degrades to no cache: reads miss, writes are dropped, pages are still
    # served; the error is logged once a minute (croody.cache, filtered below).
    DJANGO_REDIS_IGNORE_EXCEPTIONS = True
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    DJANGO_REDIS_LOGGER = "croody.cache"
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(PAGE_CACHE_DIR),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        # Every worker must see a sign-out or a change at once: files, not per-process memory.
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache" / "shared"),
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    }
# "shared" holds sessions and the per-user values every page shows (cms/accounts/per_user.py).
# Sessions are read from it and written to the database too (`cached_db`): a hit costs no
# query, a miss or a cache outage reads the database, and sign-in survives losing the cache.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_CACHE_ALIAS = "shared"

# The parts every page repeats (header menu, footer, language selector) as HTML, per process
# (cms/pagecache/fragments.py): never stale, since they are keyed by the page cache's purge
# tokens; the lifetime only bounds how long an unused one takes memory. 0 turns it off.
CACHES["fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "fragments",
    "OPTIONS": {"MAX_ENTRIES": 3000},
}
FRAGMENT_CACHE_SECONDS = int(os.environ.get("FRAGMENT_CACHE_SECONDS", "3600"))
# Wagtail's image renditions, per process too: every {% image %} reads its rendition from this
# cache and writes it back, on each render (two Redis round trips per image otherwise). Keys
# carry the image's file hash and focal point, so an edited image gets new ones; a rendition
# deleted by hand may be served from another process until its entry expires.
CACHES["renditions"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "renditions",
    "TIMEOUT": 600,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}

# Page cache (cms.pagecache): whole pages for anonymous visitors, purged on every change that
# shows on them. The same lifetime goes to the CDN as s-maxage; 0 turns both off.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
PAGE_CACHE_STALE_SECONDS = int(os.environ.get("PAGE_CACHE_STALE_SECONDS", "60"))
# The CDN in front of the site (CloudFront), told which paths to drop when pages change.
# cms.pagecache names each language's paths itself: Wagtail must not repeat them per language.
WAGTAILFRONTENDCACHE_LANGUAGES: list[str] = []
CLOUDFRONT_DISTRIBUTION_ID = os.environ.get("CLOUDFRONT_DISTRIBUTION_ID", "")
if CLOUDFRONT_DISTRIBUTION_ID:
    WAGTAILFRONTENDCACHE = {
        "cloudfront": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.CloudfrontBackend",
            "DISTRIBUTION_ID": CLOUDFRONT_DISTRIBUTION_ID,
        }
    }

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Accounts (cms.accounts): sign-in under the language prefix; throttled by django-axes,
# which locks a (username, IP) pair after LOGIN_FAILURE_LIMIT failures for a cool-off.
# Its counters stay in the database even with Redis: axes' cache handler cannot lift a lock
# by username (a password reset does), and a Redis outage would switch throttling off.
AUTHENTICATION_BACKENDS = [
    "cms.accounts.throttling.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "cms.accounts.throttling.client_ip"
AXES_LOCKOUT_CALLABLE = "cms.accounts.throttling.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # keep failed attempts only, not every sign-in's IP
AXES_VERBOSE = False

# Email: SMTP from these variables (dev prints to the console, tests keep it in memory).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Croody <no-reply@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Orders (cms.orders, docs/orders.md). Prices are before tax; tax is the shipping country's
# rate (else the default) on the goods and the shipping. Amounts are strings: Decimals.
TAX_RATES = {
    "ES": "0.21", "FR": "0.20", "PT": "0.23", "DE": "0.19", "IT": "0.22", "NL": "0.21",
    "BE": "0.21", "IE": "0.23", "AT": "0.20", "GB": "0.20",
}  # fmt: skip
TAX_DEFAULT_RATE = "0.21"  # countries not in TAX_RATES
SHIPPING_COUNTRIES = [*TAX_RATES, "US", "MX", "AR", "BR", "JP", "CN", "IN", "MA", "AE", "SA"]
SHIPPING_FLAT_RATE = "4.95"  # in the order's currency
FREE_SHIPPING_FROM = "50.00"
CART_MAX_QUANTITY = 10  # per product and order
ORDER_PAYMENT_MINUTES = 30  # unpaid longer: `release_expired_orders` gives the stock back
# The payment provider: the test one moves no money (cms/orders/payments.py).
PAYMENT_PROVIDER = os.environ.get("PAYMENT_PROVIDER", "cms.orders.payments.TestPaymentProvider")

# Internationalisation: 8 languages, Spanish first and default.
LANGUAGE_CODE = "es"
LANGUAGES = [
    ("es", _("Spanish")),
    ("en", _("English")),
    ("fr", _("French")),
    ("pt", _("Portuguese")),
    ("ar", _("Arabic")),
    ("zh-hans", _("Simplified Chinese")),
    ("ja", _("Japanese")),
    ("hi", _("Hindi")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The admin's languages (each editor picks one under Account > Preferences). Wagtail ships
# Portuguese as pt_PT and pt_BR only, so a plain "pt" would leave its admin in English.
WAGTAILADMIN_PERMITTED_LANGUAGES = [
    ("pt-pt", name) if code == "pt" else (code, name) for code, name in LANGUAGES
]
LOCALE_PATHS = [PROJECT_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "croody_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static and media files: local folders unless the S3 variables are set.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = s3_storages(os.environ) or {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Development only (dev.py): Django serves MEDIA_ROOT itself; elsewhere S3 or the web server does.
SERVE_MEDIA = False
# Where file URLs point when that is not our own origin (a CDN domain or the S3 endpoint).
FILES_ORIGIN = media_origin(os.environ)

# Wagtail
WAGTAIL_SITE_NAME = "Croody"
# The site's public address. Canonical links, og:url/og:image, hreflang, the sitemap and the
# API's absolute URLs come from the Wagtail Site that `setup_croody` configures from it, never
# from the request's Host header (which a client chooses). Production derives it when unset.
SITE_URL = os.environ.get("SITE_URL", "").strip().rstrip("/") or "http://127.0.0.1:8000"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL", "").strip() or SITE_URL
# Nothing from the internet at run time (and the CSP would block it): no Gravatar avatars
# (Wagtail falls back to its own default), no release check from the dashboard.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
# One index holds all eight languages, so PostgreSQL's "simple" configuration: lower-cased
# whole words, no stemming or stop words. A language's stemmer would mangle the other seven
# (and PostgreSQL has none for Chinese or Japanese); SQLite's FTS5 matches the same way.
# After changing it, rebuild the index: python manage.py update_index.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"}
}
WAGTAILDOCS_SERVE_METHOD = "serve_view"  # permission checks on every download
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]

# Security headers for every response; production.py adds HSTS and secure cookies.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Logs the failure as a security event, then shows Django's own (translated) page.
CSRF_FAILURE_VIEW = "cms.base.security_events.csrf_failure"

# The theme boot script is inlined in <head> (no flash of the wrong theme) and allowed by its
# hash, not a nonce, so whole pages stay cacheable; croody_assets inlines the same bytes.
THEME_BOOT_SCRIPT = PROJECT_DIR / "static" / "croody" / "js" / "theme-boot.js"
_boot_digest = hashlib.sha256(THEME_BOOT_SCRIPT.read_bytes()).digest()
THEME_BOOT_SCRIPT_HASH = f"'sha256-{base64.b64encode(_boot_digest).decode('ascii')}'"

# Content-Security-Policy: our own origin only, scripts by nonce, never inline.
# cms.base.csp relaxes script-src for Wagtail's admin, whose templates use inline scripts.
_files = [FILES_ORIGIN] if FILES_ORIGIN else []  # our CDN or bucket, when files live there
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE, THEME_BOOT_SCRIPT_HASH, *_files],
        "style-src": [SELF, *_files],
        "img-src": [SELF, "data:", "blob:", *_files],
        "font-src": [SELF, *_files],
        "connect-src": [SELF],
        "media-src": [SELF, *_files],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Prometheus metrics: a bearer token when set, otherwise loopback clients only.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")

LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = logging_config(LOG_LEVEL)  # the same JSON format as the APIs
# Cache (Redis) errors: the first one with its traceback, then one line a minute at most.
LOGGING["filters"]["once_a_minute"] = {
    "()": "cms.base.cache_logging.OncePerInterval",
    "seconds": 60,
}
LOGGING["loggers"]["croody.cache"] = {"filters": ["once_a_minute"], "level": "WARNING"}
HEALTH_MIN_FREE_DISK_MB = int(os.environ.get("HEALTH_MIN_FREE_DISK_MB", "100"))

# Headless API (/api/v2/, cms/shop/api.py): read-only, rate limited per client address
# through the cache above, callable from browsers only on the origins listed here.
REST_FRAMEWORK = {
    # REMOTE_ADDR is already the client behind our proxies (TRUSTED_PROXIES); DRF must not
    # read X-Forwarded-For itself, whose left end the client writes.
    "NUM_PROXIES": 0,
    # DRF's own, also logging throttled requests as security events.
    "EXCEPTION_HANDLER": "cms.base.security_events.drf_exception_handler",
    "DEFAULT_THROTTLE_RATES": {"api": os.environ.get("API_THROTTLE_RATE", "120/minute") or None},
}
WAGTAILAPI_BASE_URL = SITE_URL  # one origin: absolute URLs in API answers
WAGTAILAPI_LIMIT_MAX = 50
WAGTAILAPI_SEARCH_ENABLED = True
CORS_ALLOWED_ORIGINS = env_list("CORS_ALLOWED_ORIGINS")
CORS_URLS_REGEX = r"^/api/v2/.*$"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
