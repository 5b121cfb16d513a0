"""The site's public address (settings.SITE_URL) in the Wagtail Site.

Wagtail builds every absolute page URL (canonical, hreflang, the sitemap, the API's
`html_url`) from the Site's hostname and port, not from the request, so a spoofed Host header
changes none of them. Requests for another host (tests and e2e servers on random ports) still
find the site: it is the default site, Wagtail's fallback.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Page, Site

DEFAULT_PORTS = {"http": 80, "https": 443}


def site_address(url: str | None = None) -> tuple[str, int]:
    """(hostname, port) of SITE_URL. Wagtail's Site.root_url reads port 443 as https and any
    other port as http, so an https address must use the default port."""
    url = url or settings.SITE_URL
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ImproperlyConfigured(f"SITE_URL must be http(s)://host[:port], not {url!r}")
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    if parts.scheme == "https" and port != 443:
        raise ImproperlyConfigured(f"SITE_URL: https is served on port 443 only, not {url!r}")
    return parts.hostname, port


def configure_default_site(root_page: Page | None = None) -> Site:
    """Create or update the default Site so its root URL is SITE_URL (idempotent)."""
    hostname, port = site_address()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        if root_page is None:
            raise ValueError("no default site yet: give the root page")
        return Site.objects.create(
            hostname=hostname,
            port=port,
            root_page=root_page,
            is_default_site=True,
            site_name=settings.WAGTAIL_SITE_NAME,
        )
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save()  # Site.save clears Wagtail's cached root paths
    return site


def absolute_url(url: str, site: Site | None = None) -> str:
    """`url` (a path) made absolute on `site`, by default the default Site (SITE_URL), never
    on the request's Host header; a URL that is absolute already (S3, a CDN) is kept."""
    if urlsplit(url).scheme:
        return url
    site = site or Site.objects.filter(is_default_site=True).first()
    return f"{site.root_url}{url}" if site else url
