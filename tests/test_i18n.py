"""Languages: every page under its language prefix, `/` redirected, lang/dir right."""

import re
from html import unescape
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext
from wagtail.models import Locale, Page
from wagtail_localize.models import LocaleSynchronization

from cms.accounts.models import UserProfile
from cms.accounts.views import SignupView
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


# The selector's POST is CSRF-exempt (cached pages carry no token); the profile is not.


@pytest.fixture
def member():
    user = get_user_model().objects.create_user("kenji", "kenji@example.com", "x-Pass-12345")
    UserProfile.objects.filter(user=user).update(language="ja")
    browser = Client(enforce_csrf_checks=True)  # as a browser: no token, no pass
    browser.force_login(user)
    return browser, user


def profile_language(user) -> str:
    return UserProfile.objects.get(user=user).language


@pytest.mark.parametrize("headers", [{"HTTP_ORIGIN": "https://evil.example"}, {}])
def test_a_cross_site_post_sets_the_cookie_but_leaves_the_profile(member, headers):
    browser, user = member
    response = browser.post("/language/", {"language": "ar"}, **headers)
    assert response.status_code == 302
    assert response["Location"] == "/ar/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert profile_language(user) == "ja"


def test_the_selector_of_a_signed_in_user_carries_a_token_and_changes_the_profile(member):
    browser, user = member
    html = browser.get("/ja/").content.decode()
    form = re.search(r'<form class="language-selector".*?</form>', html, re.S).group(0)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = browser.post("/language/", {"language": "hi", "csrfmiddlewaretoken": token})
    assert response["Location"] == "/hi/"
    assert profile_language(user) == "hi"


def test_anonymous_visitors_switch_without_a_token_and_their_pages_have_none(client):
    visitor = Client(enforce_csrf_checks=True)
    html = visitor.get("/es/").content.decode()
    form = re.search(r'<form class="language-selector".*?</form>', html, re.S).group(0)
    assert "csrfmiddlewaretoken" not in form  # a token would keep the page out of the cache
    response = visitor.post("/language/", {"language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == "/fr/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"


# Error pages: the visitor's language, with or without a prefix.


@pytest.mark.parametrize("code", CODES)
def test_404_page_in_every_language(client, code):
    response = client.get(f"/{code}/no-such-page/")
    assert response.status_code == 404
    assert html_attrs(response.content) == (code, "rtl" if code in RTL else "ltr")
    with translation.override(code):
        heading = gettext("Page not found")
    assert f"<h1>{heading}</h1>" in unescape(response.content.decode())


def test_unprefixed_missing_paths_go_to_the_visitors_language(client):
    response = client.get("/no-such-page", HTTP_ACCEPT_LANGUAGE="ar", follow=True)
    assert response.redirect_chain[-1][0] == "/ar/no-such-page/"
    assert response.status_code == 404
    assert html_attrs(response.content) == ("ar", "rtl")


@pytest.mark.parametrize("code", CODES)
def test_500_page_in_every_language(code):
    visitor = Client(raise_request_exception=False)
    with mock.patch.object(SignupView, "get_context_data", side_effect=RuntimeError("bug")):
        response = visitor.get(f"/{code}/account/signup/")
    assert response.status_code == 500
    assert html_attrs(response.content) == (code, "rtl" if code in RTL else "ltr")
    with translation.override(code):
        heading = gettext("Something went wrong")
    assert code == "en" or heading != "Something went wrong"
    assert f"<h1>{heading}</h1>" in unescape(response.content.decode())
    assert f'href="/{code}/"' in response.content.decode()


def test_500_page_on_an_unprefixed_path_follows_the_browser():
    visitor = Client(raise_request_exception=False)
    with mock.patch("cms.base.views._destination", side_effect=RuntimeError("bug")):
        response = visitor.post("/language/", {"language": "fr"}, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 500
    assert html_attrs(response.content) == ("ja", "ltr")


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
        assert f'hreflang="{code}" href="{settings.SITE_URL}/{code}/"' in content
    assert f'hreflang="x-default" href="{settings.SITE_URL}/es/"' in content


def test_setup_is_idempotent(django_db_blocker):
    from django.core.management import call_command

    before = (Page.objects.count(), Locale.objects.count(), HomePage.objects.count())
    revisions = sum(page.revisions.count() for page in Page.objects.all())
    call_command("setup_croody", "--no-admin", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Page.objects.count(), Locale.objects.count(), HomePage.objects.count()) == before
    assert sum(page.revisions.count() for page in Page.objects.all()) == revisions
