"""Absolute URLs come from the configured site (SITE_URL in the Wagtail Site), never from the
Host header a request carries (issue #17): canonical, og:url, og:image, hreflang, the
sitemap and the API's html_url."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import Site

from cms.base.site_url import configure_default_site, site_address
from cms.base.sites import forget_sites

pytestmark = pytest.mark.django_db

SPOOFED = "evil.example"


@pytest.fixture
def spoofing_client(client, settings):
    settings.ALLOWED_HOSTS = ["*"]  # a host the site would accept: behind a lax proxy, say
    client.defaults["HTTP_HOST"] = SPOOFED
    return client


def absolute_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|content)="(https?://[^"]+)"', html)


def test_setup_sets_the_default_site_from_site_url():
    site = Site.objects.get(is_default_site=True)
    assert site.root_url == settings.SITE_URL == "http://127.0.0.1:8000"


@pytest.mark.parametrize("path", ["/es/", "/ja/shop/", "/ar/shop/tempo-3/", "/en/robots/"])
def test_page_links_use_the_site_url_whatever_the_host_header(spoofing_client, path):
    html = spoofing_client.get(path).content.decode()
    assert f'<link rel="canonical" href="{settings.SITE_URL}{path}">' in html
    assert f'<meta property="og:url" content="{settings.SITE_URL}{path}">' in html
    assert 'hreflang="x-default" href="http://127.0.0.1:8000/es/' in html
    urls = absolute_urls(html)
    assert urls and not [url for url in urls if SPOOFED in url or "localhost" in url]
    if path in {"/es/", "/ar/shop/tempo-3/"}:  # pages with a hero or product image
        assert re.search(r'og:image" content="http://127\.0\.0\.1:8000/', html)


def test_sitemap_uses_the_site_url(spoofing_client):
    sitemap = spoofing_client.get("/sitemap.xml").content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert locations and all(loc.startswith("http://127.0.0.1:8000/") for loc in locations)
    assert "http://127.0.0.1:8000/ja/shop/</loc>" in sitemap


@pytest.mark.parametrize("endpoint", ["pages", "products"])
def test_api_html_url_uses_the_site_url(spoofing_client, endpoint):
    response = spoofing_client.get(f"/api/v2/{endpoint}/?locale=ja&limit=5")
    items = response.json()["items"]
    assert items
    for item in items:
        assert item["meta"]["html_url"].startswith("http://127.0.0.1:8000/ja/")
        assert item["meta"]["detail_url"].startswith("http://127.0.0.1:8000/api/v2/")


@pytest.fixture
def fresh_site_root_paths():
    """Wagtail caches the sites' root URLs, and cms.base.sites the Sites: the test's
    rolled-back Site must not stay there."""
    Site.clear_site_root_paths_cache()
    yield
    Site.clear_site_root_paths_cache()
    forget_sites()


def test_a_new_site_url_moves_every_link(client, settings, fresh_site_root_paths):
    settings.SITE_URL = "https://croody.example"
    site = configure_default_site()
    assert (site.hostname, site.port, site.root_url) == ("croody.example", 443, settings.SITE_URL)
    html = client.get("/fr/").content.decode()  # the test client's own host is "testserver"
    assert '<link rel="canonical" href="https://croody.example/fr/">' in html
    assert 'hreflang="ja" href="https://croody.example/ja/"' in html


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://127.0.0.1:8000", ("127.0.0.1", 8000)),
        ("https://croody.example/", ("croody.example", 443)),
        ("http://croody.example", ("croody.example", 80)),
    ],
)
def test_site_address(url, address):
    assert site_address(url) == address


@pytest.mark.parametrize(
    "url", ["croody.example", "ftp://croody.example", "https://x.example:8443"]
)
def test_site_address_refuses_what_a_wagtail_site_cannot_be(url):
    with pytest.raises(ImproperlyConfigured):
        site_address(url)
