import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.base.sitemaps import LocalizedSitemap
from cms.base.views import health, language_root, robots_txt, switch_language
from cms.shop.api import api_router

# Outside the language prefixes: machine endpoints, the admin and file downloads.
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("health/", health, name="health"),  # answered by HealthCheckMiddleware first
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": LocalizedSitemap}}, name="sitemap"),
    path("language/", switch_language, name="switch_language"),
    path("", language_root, name="language_root"),  # the profile's language, then the cookie…
    path("api/v2/", api_router.urls),  # headless API: pages, images, documents, products
    # For the services only: the gateways refuse it, and it needs INTERNAL_API_SECRET.
    path("internal/", include("cms.accounts.internal_api")),
]

if settings.SERVE_MEDIA:  # `make run` only (cms/settings/dev.py), whatever DEBUG says
    from django.views.static import serve

    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# Every page lives under its language: /es/…, /ar/…; other unprefixed paths redirect by
# cookie, then Accept-Language, then the default (LocaleMiddleware does this).
urlpatterns += i18n_patterns(
    path("", include("cms.orders.urls")),  # cart/, checkout/, account/orders/
    path("account/", include("cms.accounts.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=True,
)
