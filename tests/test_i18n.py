"""Languages: every page under its language prefix, `/` redirected, lang/dir right."""

import re

import pytest
from django.conf import settings
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization

from cms.base.demo.content import HOME_PAGE
from cms.base.demo.loader import catalogue
from cms.home.models import HomePage

pytestmark = pytest.mark.django_db

RTL = {"ar"}
CODES = [code for code, _name in settings.LANGUAGES]


def html_attrs(content: bytes) -> tuple[str, str]:
    match = re.search(rb'<html lang="([^"]+)" dir="([^"]+)"', content)
    assert match, "page has no <html lang dir>"
    return match.group(1).decode(), match.group(2).decode()


def test_eight_locales_synchronised_from_spanish():
    assert sorted(Locale.objects.values_list("language_code", flat=True)) == sorted(CODES)
    assert Locale.get_default().language_code == "es"
    synced = {
        sync.locale.language_code: sync.sync_from.language_code
        for sync in LocaleSynchronization.objects.select_related("locale", "sync_from")
    }
    assert synced == {code: "es" for code in CODES if code != "es"}


@pytest.mark.parametrize("code", CODES)
def test_home_page_in_every_language(client, code):
    response = client.get(f"/{code}/")
    assert response.status_code == 200
    assert html_attrs(response.content) == (code, "rtl" if code in RTL else "ltr")
    title = HOME_PAGE["title"]
    expected_title = title if code == "es" else catalogue()[title][code]
    assert f"<h1>{expected_title}</h1>" in response.content.decode()


def test_translations_are_wagtail_localize_translations_not_aliases():
    source = HomePage.objects.get(locale__language_code="es")
    versions = source.get_translations().specific()
    assert {page.locale.language_code for page in versions} == set(CODES) - {"es"}
    for page in versions:
        assert page.alias_of_id is None
        assert page.live
        assert page.intro and page.intro != source.intro


def test_language_selector_offers_every_language(client):
    content = client.get("/es/").content.decode()
    for code in CODES:
        assert f'name="language" value="{code}" lang="{code}"' in content


def test_language_selector_goes_to_the_translation_and_remembers(client):
    home = HomePage.objects.get(locale__language_code="es")
    response = client.post("/language/", {"language": "ar", "page": home.pk})
    assert response.status_code == 302
    assert response["Location"] == "/ar/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert client.get("/")["Location"] == "/ar/"


@pytest.mark.parametrize("data", [{"language": "xx"}, {"language": "ja", "page": "nope"}, {}])
def test_language_selector_with_bad_input_still_lands_on_a_home_page(client, data):
    response = client.post("/language/", data)
    assert response.status_code == 302
    assert response["Location"] in {"/es/", "/ja/"}


def test_language_selector_needs_post(client):
    assert client.get("/language/?language=ja").status_code == 405


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, "/es/"),
        ({"HTTP_ACCEPT_LANGUAGE": "ar,en;q=0.8"}, "/ar/"),
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "/zh-hans/"),
        ({"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9"}, "/es/"),  # unsupported: the default
    ],
)
def test_root_redirects_by_accept_language_then_default(client, headers, expected):
    response = client.get("/", **headers)
    assert response.status_code == 302
    assert response["Location"] == expected


def test_root_redirect_prefers_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Location"] == "/ja/"


@pytest.mark.parametrize(
    ("path", "status"),
    [("/admin/login/", 200), ("/health/", 200), ("/sitemap.xml", 200)],
)
def test_machine_and_admin_urls_stay_outside_language_prefixes(client, path, status):
    assert client.get(path).status_code == status


def test_language_prefixed_admin_is_not_the_admin(client):
    assert client.get("/es/admin/login/").status_code == 404


def test_sitemap_lists_every_language_version(client):
    content = client.get("/sitemap.xml").content.decode()
    for code in CODES:
        assert f"/{code}/</loc>" in content


def test_alternate_links_for_every_translation_and_x_default(client):
    content = client.get("/fr/").content.decode()
    for code in CODES:
        assert f'hreflang="{code}" href="http://testserver/{code}/"' in content
    assert 'hreflang="x-default" href="http://testserver/es/"' in content


def test_setup_is_idempotent(django_db_blocker):
    from django.core.management import call_command

    before = (Page.objects.count(), Locale.objects.count(), HomePage.objects.count())
    revisions = sum(page.revisions.count() for page in Page.objects.all())
    call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Page.objects.count(), Locale.objects.count(), HomePage.objects.count()) == before
    assert sum(page.revisions.count() for page in Page.objects.all()) == revisions
