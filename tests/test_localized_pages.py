"""The site in each of its eight languages, as visitors and editors get it.

Every demo page in every language answers in that language (lang, dir, translated title,
an interface with no Spanish left in it); a page not translated yet says so; prices and
dates follow the language; the profile's language is honoured; the admin speaks the
editor's language.
"""

import json
import re
from datetime import UTC, datetime
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import get_language_info, gettext, to_locale
from wagtail.models import Locale, Page
from wagtail.users.models import UserProfile as AdminProfile

from cms.accounts.models import UserProfile, profile_for
from cms.base.localization import sync_trees, translate_object
from cms.home.models import HomePage, StandardPage
from cms.robots.models import Robot
from cms.shop.models import ProductPage
from cms.shop.templatetags.shop_tags import format_price

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]
LOCALE_DIR = Path(__file__).resolve().parent.parent / "cms" / "locale"
SHOWN_ATTRIBUTES = {"alt", "aria-label", "title", "placeholder", "content"}


class VisibleText(HTMLParser):
    """Text nodes and the attributes people read or hear; <title> and <h1> kept apart."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.title = ""
        self.h1: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._open.append(tag)
        self.texts += [value for name, value in attrs if name in SHOWN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if not text or {"script", "style"} & set(self._open):
            return
        if "title" in self._open:
            self.title += text
        elif "h1" in self._open:
            self.h1.append(text)
        self.texts.append(text)


def read(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    return parser


def html_attrs(html: str) -> tuple[str, str]:
    match = re.search(r'<html lang="([^"]+)" dir="([^"]+)"', html)
    assert match, "page has no <html lang dir>"
    return match.group(1), match.group(2)


def catalogue(code: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / "django.po"))


def spanish_interface_strings(code: str) -> set[str]:
    """Spanish interface texts that cannot be right in `code`: not the English msgid, not a
    text `code`'s own catalogue uses (Sistema is Portuguese too), no placeholders."""
    allowed = {entry.msgid for entry in catalogue("es")}
    for entry in catalogue(code):
        allowed |= {entry.msgstr, *entry.msgstr_plural.values()}
    return {
        entry.msgstr
        for entry in catalogue("es")
        if entry.msgstr
        and entry.msgstr not in allowed
        and "%(" not in entry.msgstr
        and len(entry.msgstr) >= 4
    }


def demo_pages(code: str) -> list[Page]:
    return list(
        Page.objects.live()
        .filter(locale__language_code=code, depth__gt=1, alias_of__isnull=True)
        .order_by("path")
        .specific()
    )


@pytest.mark.usefixtures("renditions")
@pytest.mark.parametrize("code", CODES)
def test_every_demo_page_in_every_language(client, code):
    pages = demo_pages(code)
    sources = {page.translation_key: page for page in demo_pages("es")}
    assert len(pages) == len(sources) > 30, "every Spanish page has a real translation"
    with translation.override(code):
        skip_link = gettext("Skip to content")
    spanish = spanish_interface_strings(code) if code != "es" else set()
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert html_attrs(html) == (code, "rtl" if code == "ar" else "ltr"), page.url
        text = read(html)
        assert text.title == f"{page.seo_title or page.title} · Croody", page.url
        assert any(page.title in heading for heading in text.h1), page.url
        if code != "es":
            assert page.title != sources[page.translation_key].title, f"{page.url}: a copy"
        assert skip_link in text.texts, f"{page.url}: interface not in {code}"
        leftovers = sorted(
            {
                line
                for line in text.texts
                for phrase in spanish
                # Whole words: Spanish "zonas de intensidad" inside Portuguese "…intensidade".
                if line == phrase
                or (len(phrase) >= 15 and re.search(rf"\b{re.escape(phrase)}\b", line))
            }
        )
        assert leftovers == [], f"{page.url}: Spanish interface text {leftovers}"


@pytest.mark.parametrize("code", CODES)
def test_account_pages_speak_the_visitors_language(client, code):
    with translation.override(code):
        expected = [gettext("Create your account"), gettext("Already have an account?")]
        signup_url = f"/{code}/account/signup/"
    html = client.get(signup_url).content.decode()
    assert html_attrs(html) == (code, "rtl" if code == "ar" else "ltr")
    for text in expected:
        assert text in unescape(html)


@pytest.mark.usefixtures("renditions")
@pytest.mark.parametrize("code", CODES)
def test_prices_are_written_the_way_each_language_writes_them(client, code):
    product = ProductPage.objects.live().get(locale__language_code=code, sku="CR-RUN-001")
    html = unescape(client.get(product.url).content.decode())
    expected = format_price(product.price, product.currency, code)
    assert f'<p class="product__price">{expected}</p>' in html
    assert (
        expected
        == {
            "es": "129,90\xa0€",
            "en": "€129.90",
            "fr": "129,90\xa0€",
            "pt": "€\xa0129,90",
            "ar": "\u200f129.90\xa0€",
            "zh-hans": "€129.90",
            "ja": "€129.90",
            "hi": "€129.90",
        }[code]
    )


@pytest.mark.parametrize("code", ["es", "en", "ar", "ja", "hi"])
def test_dates_are_written_the_way_each_language_writes_them(client, code):
    user = get_user_model().objects.create_user("dates", "dates@example.com", "x-Pass-12345")
    robot = Robot.objects.create(owner=user, name="Rover")
    Robot.objects.filter(pk=robot.pk).update(created_at=datetime(2026, 3, 9, 17, 5, tzinfo=UTC))
    client.force_login(user)
    html = client.get(f"/{code}/account/profile/").content.decode()
    with translation.override(code):
        expected = date_format(datetime(2026, 3, 9, 17, 5, tzinfo=UTC), "SHORT_DATETIME_FORMAT")
    assert expected in html


def test_date_formats_differ_between_languages():
    moment = datetime(2026, 3, 9, 17, 5, tzinfo=UTC)
    written = {}
    for code in ("es", "en", "ja", "ar"):
        with translation.override(code):
            written[code] = date_format(moment, "SHORT_DATE_FORMAT")
    assert written["es"] == "09/03/2026"
    assert written["ja"] == "2026/03/09"
    assert len(set(written.values())) >= 3


# --- A page not translated yet -------------------------------------------------------------


@pytest.fixture
def new_spanish_page() -> StandardPage:
    """A page an editor just published in Spanish; sync gives every language an alias."""
    home = HomePage.objects.get(locale__language_code="es")
    page = home.add_child(
        instance=StandardPage(
            title="Guía de hidratación", slug="hidratacion", intro="Bebe agua antes de entrenar."
        )
    )
    page.save_revision().publish()
    sync_trees()
    return page


def alias_in(page: Page, code: str) -> Page:
    version = page.get_translation(Locale.objects.get(language_code=code))
    assert version.alias_of_id == page.pk, "sync made an alias standing in for the translation"
    return version


def test_an_untranslated_page_says_so_and_shows_the_spanish_original(client, new_spanish_page):
    alias = alias_in(new_spanish_page, "ja")
    html = client.get(alias.url).content.decode()
    assert html_attrs(html) == ("ja", "ltr")
    with translation.override("ja"):
        notice = gettext(
            "This page is not translated into this language yet, so it is shown in its "
            "original language (%(source)s)."
        ) % {"source": get_language_info("es")["name_translated"]}
    assert notice in unescape(html) and "スペイン語" in notice
    assert '<div class="page-content" lang="es" dir="ltr">' in html  # read as Spanish
    assert f'<link rel="canonical" href="{new_spanish_page.full_url}">' in html
    assert 'hreflang="ja"' not in html
    assert 'hreflang="x-default"' in html

    arabic = client.get(alias_in(new_spanish_page, "ar").url).content.decode()
    assert html_attrs(arabic) == ("ar", "rtl")
    assert '<div class="page-content" lang="es" dir="ltr">' in arabic


def test_selector_marks_the_languages_a_page_is_not_translated_into(client, new_spanish_page):
    html = client.get(new_spanish_page.url).content.decode()
    for code in CODES:
        button = re.search(rf'<button [^>]*name="language" value="{code}"[^>]*>', html).group(0)
        assert ("data-untranslated" in button) is (code != "es"), code
    with translation.override("es"):
        assert gettext("Not translated yet") in html
    # A translated demo page is offered in every language, unmarked.
    home = client.get("/es/").content.decode()
    assert "data-untranslated" not in home


def test_choosing_an_untranslated_language_shows_the_original_with_the_notice(
    client, new_spanish_page
):
    response = client.post("/language/", {"language": "fr", "page": new_spanish_page.pk})
    assert response.status_code == 302
    assert response["Location"] == alias_in(new_spanish_page, "fr").url
    assert (
        'class="container untranslated-notice"' in client.get(response["Location"]).content.decode()
    )


def test_sitemap_lists_real_translations_only(client, new_spanish_page):
    sitemap = client.get("/sitemap.xml").content.decode()
    assert f"{new_spanish_page.url}</loc>" in sitemap
    assert f"{alias_in(new_spanish_page, 'ja').url}</loc>" not in sitemap
    for code in CODES:
        assert f"/{code}/</loc>" in sitemap


def test_once_translated_the_page_is_offered_and_linked_as_a_translation(client, new_spanish_page):
    japanese = Locale.objects.get(language_code="ja")
    strings = {
        "Guía de hidratación": {"ja": "水分補給ガイド"},
        "Bebe agua antes de entrenar.": {"ja": "トレーニングの前に水を飲みましょう。"},
    }
    translate_object(new_spanish_page, strings, [japanese])
    translated = new_spanish_page.get_translation(japanese)
    assert translated.alias_of_id is None and translated.title == "水分補給ガイド"

    html = client.get(translated.url).content.decode()
    assert "untranslated-notice" not in html
    assert '<div class="page-content">' in html
    assert f'hreflang="ja" href="{settings.SITE_URL}{translated.url}"' in html
    source = client.get(new_spanish_page.url).content.decode()
    assert f'hreflang="ja" href="{settings.SITE_URL}{translated.url}"' in source
    ja_button = re.search(r'<button [^>]*name="language" value="ja"[^>]*>', source).group(0)
    assert "data-untranslated" not in ja_button


# --- The signed-in user's language ---------------------------------------------------------


@pytest.fixture
def member(client):
    user = get_user_model().objects.create_user("aiko", "aiko@example.com", "x-Pass-12345")
    profile = profile_for(user)
    profile.language = "ja"
    profile.save()
    client.force_login(user)
    return user


def test_root_follows_the_profile_language_over_cookie_and_browser(client, member):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    response = client.get("/?utm=mail", HTTP_ACCEPT_LANGUAGE="ar")
    assert response.status_code == 302
    assert response["Location"] == "/ja/?utm=mail"
    assert "no-cache" in response["Cache-Control"] or "private" in response["Cache-Control"]


def test_choosing_a_language_updates_the_profile(client, member):
    home = HomePage.objects.get(locale__language_code="ja")
    response = client.post("/language/", {"language": "hi", "page": home.pk})
    assert response["Location"] == "/hi/"
    assert UserProfile.objects.get(user=member).language == "hi"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "hi"
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)  # another device: no cookie yet
    assert client.get("/")["Location"] == "/hi/"


def test_root_answers_head_requests(client):
    assert client.head("/", HTTP_ACCEPT_LANGUAGE="ja")["Location"] == "/ja/"


# --- The admin in the editor's language ----------------------------------------------------


@pytest.mark.parametrize(
    ("preferred", "direction"),
    [("ar", "rtl"), ("ja", "ltr"), ("fr", "ltr"), ("pt-pt", "ltr"), ("zh-hans", "ltr")],
)
def test_admin_speaks_the_editors_preferred_language(
    admin_client, admin_user, preferred, direction
):
    profile = AdminProfile.get_for_user(admin_user)
    profile.preferred_language = preferred
    profile.save()
    html = admin_client.get("/admin/").content.decode()
    assert re.search(rf'<html lang="{preferred}" dir="{direction}"', html)
    with translation.override(preferred):
        dashboard, ours = gettext("Dashboard"), gettext("API access")
    # The admin carries Croody's name, not Wagtail's, in every language.
    assert dashboard != "Dashboard" and f"<title>{dashboard} - Croody</title>" in html
    # Our own menu item (in the sidebar's JSON), Portuguese reaching pt-pt through pt.
    assert ours != "API access" and json.dumps(ours)[1:-1] in html


def test_admin_follows_the_browser_language_without_a_preference(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert re.search(r'<html [^>]*lang="ja"', html)
