"""Every account form, submitted with errors in each of the 8 languages, speaks that language.

Django's own strings (help texts, password-validator messages, field errors) come from the
project's catalogues (cms/accounts/django_strings.py says why), never from Django's: its
Hindi catalogue lacks most of them, so they fell back to Spanish, the default language.

Each page is checked three ways: every string it looked up has an entry in the project's
catalogue for its language; the messages a visitor is shown are exactly those entries (no
Spanish on /hi/); and Spanish addresses the visitor as "tú", never "usted".
"""

# ruff: noqa: RUF001 (Django's msgids, exactly: with its typographic apostrophes)

import gettext as gettext_module
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from html.parser import HTMLParser
from typing import Any

import polib
import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import to_locale, trans_real

from tests.accounts.conftest import PASSWORD, image_upload

pytestmark = pytest.mark.django_db

CODES = [code for code, _name in settings.LANGUAGES]
CONTEXT_SEPARATOR = "\x04"
# Looked up but never shown as words: Django checks whether a label already ends in one of
# these characters before adding its label suffix (":"), which is punctuation.
NOT_WORDS = {":?.!", ":"}
# Looked up when Wagtail builds a ChoiceBlock's form field (the site's block definitions): the
# blank choice of an editor's select, never on these pages (check_page asserts it is absent).
NOT_SHOWN = {"- Select an option -"}
# "usted" forms; "su"/"sus" alone are also "its"/"their", so only as "su contraseña" etc.
USTED = re.compile(
    r"\b(usted(es)?|introduzca|escriba|int[ée]ntelo|aseg[úu]rese|escoja|elija|seleccione|"
    r"compruebe|pulse|haga clic|vuelva a|observe|su (contraseña|otra|nombre|"
    r"correo|cuenta|perfil)|sus datos)\b",
    re.IGNORECASE,
)
VOID_TAGS = {"br", "input", "img", "hr", "wbr", "meta", "link", "source"}
TOO_SHORT = "This password is too short. It must contain at least %d character."
HELP_TEXT = (
    "Your password can’t be too similar to your other personal information.",
    "Your password can’t be a commonly used password.",
    "Your password can’t be entirely numeric.",
)


@cache
def catalogue(code: str) -> dict[tuple[str | None, str], polib.POEntry]:
    path = settings.LOCALE_PATHS[0] / to_locale(code) / "LC_MESSAGES" / "django.po"
    return {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(path))}


@cache
def plural_index(code: str) -> Callable[[int], int]:
    path = settings.LOCALE_PATHS[0] / to_locale(code) / "LC_MESSAGES" / "django.po"
    rule = polib.pofile(str(path)).metadata["Plural-Forms"].split("plural=")[1].rstrip(";")
    return gettext_module.c2py(rule)


def expected(code: str, msgid: str, count: int | None = None, **params: Any) -> str:
    """What our catalogue says `msgid` is in `code`, its placeholders filled."""
    entry = catalogue(code)[(None, msgid)]
    if entry.msgid_plural:
        assert count is not None, msgid
        text = entry.msgstr_plural[plural_index(code)(count)]
    else:
        text = entry.msgstr
    assert text, f"{code}: {msgid!r} is untranslated"
    if params:
        return text % params
    return text % count if "%d" in text else text  # Django's "too short" has a bare %d


class Messages(HTMLParser):
    """Error messages and help texts as a visitor reads them, one string each."""

    CONTAINERS = {"errorlist", "form-field__help", "error-summary"}

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.buffer: list[str] = []
        self.items: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            return
        if self.depth:
            self.depth += 1
            if tag == "li":
                self.flush()
        elif self.CONTAINERS & set((dict(attrs).get("class") or "").split()):
            self.depth = 1

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS or not self.depth:
            return
        self.depth -= 1
        if tag == "li" or not self.depth:
            self.flush()

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.buffer.append(data)

    def flush(self) -> None:
        text = " ".join(unescape("".join(self.buffer)).split())
        if text:
            self.items.append(text)
        self.buffer = []


def shown_messages(html: str) -> list[str]:
    parser = Messages()
    parser.feed(html)
    return parser.items


@dataclass
class Page:
    code: str
    html: str
    messages: list[str]
    looked_up: set[tuple[str | None, str]] = field(default_factory=set)

    def shows(self, text: str) -> bool:
        text = " ".join(text.split())  # as shown_messages reads it (no-break spaces too)
        return any(text in message for message in self.messages)


@pytest.fixture
def looked_up(monkeypatch) -> Iterator[set[tuple[str | None, str]]]:
    """The msgids translated while the test runs (gettext, pgettext, ngettext, lazy or not)."""
    seen: set[tuple[str | None, str]] = set()
    original_gettext = trans_real.DjangoTranslation.gettext
    original_ngettext = trans_real.DjangoTranslation.ngettext

    def note(message: str) -> None:
        context, _sep, msgid = message.rpartition(CONTEXT_SEPARATOR)
        seen.add((context or None, msgid))

    def recording_gettext(self: Any, message: str) -> str:
        note(message)
        return original_gettext(self, message)

    def recording_ngettext(self: Any, singular: str, plural: str, number: int) -> str:
        note(singular)
        return original_ngettext(self, singular, plural, number)

    monkeypatch.setattr(trans_real.DjangoTranslation, "gettext", recording_gettext)
    monkeypatch.setattr(trans_real.DjangoTranslation, "ngettext", recording_ngettext)
    yield seen


def submit(client: Client, code: str, seen: set, path: str, data: dict | None = None) -> Page:
    """POST (GET without data) /<code>/account/<path>: the page re-rendered with its errors."""
    seen.clear()
    url = f"/{code}/account/{path}"
    response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code == 200, (url, response.status_code, response.get("Location"))
    html = response.content.decode()
    return Page(code, html, shown_messages(html), set(seen))


def check_page(page: Page, *expected_texts: str) -> None:
    """The shared checks, then the messages this form must show in this language."""
    ours = catalogue(page.code)
    foreign = sorted(
        msgid
        for msgid in page.looked_up
        if msgid[1] not in NOT_WORDS | NOT_SHOWN
        and not (msgid in ours and (ours[msgid].msgstr or ours[msgid].msgstr_plural.get(0)))
    )
    assert foreign == [], f"{page.code}: not in the project's catalogue: {foreign}"
    for msgid in NOT_SHOWN:
        assert msgid not in page.html
    missing = [text for text in expected_texts if not page.shows(text)]
    assert missing == [], f"{page.code}: expected {missing}, the page shows {page.messages}"
    if page.code == "es":
        main = re.sub(r"<[^>]+>", " ", page.html.split("<main", 1)[-1])
        assert not USTED.search(unescape(main)), USTED.search(unescape(main))


def assert_not_spanish(pages: dict[str, Page]) -> None:
    """No message shown on another language's page is the Spanish page's."""
    spanish = set(pages["es"].messages)
    for code, page in pages.items():
        if code != "es":
            shared = [message for message in page.messages if message in spanish]
            assert shared == [], f"{code} shows Spanish: {shared}"


# --- The forms ------------------------------------------------------------------------------


def test_sign_up_errors_and_help_texts(client, make_user, looked_up):
    make_user("ana")
    invalid = {
        "username": "bad name!",
        "email": "nope",
        "password1": "a1b2c3d4e5",
        "password2": "z9y8x7w6v5",
    }
    cases = [
        ({}, lambda c: [expected(c, "This field is required.")]),
        (
            invalid,
            lambda c: [
                expected(
                    c,
                    "Enter a valid username. This value may contain only letters, numbers, "
                    "and @/./+/-/_ characters.",
                ),
                expected(c, "Enter a valid email address."),
                expected(c, "The two password fields didn’t match."),
            ],
        ),
        (
            {"username": "zorro", "email": "z@example.com", "password1": "a1b2"},
            lambda c: [
                expected(
                    c,
                    TOO_SHORT,
                    8,
                )
            ],
        ),
        (
            {"username": "zorro", "email": "z@example.com", "password1": "12345678"},
            lambda c: [
                expected(c, "This password is too common."),
                expected(c, "This password is entirely numeric."),
            ],
        ),
        (
            {"username": "marianela", "email": "m@example.com", "password1": "marianela1"},
            lambda c: [
                expected(
                    c,
                    "The password is too similar to the %(verbose_name)s.",
                    verbose_name=expected(c, "username"),
                )
            ],
        ),
        (
            {"username": "ana", "email": "a@example.com", "password1": PASSWORD},
            lambda c: [expected(c, "A user with that username already exists.")],
        ),
    ]
    for data, texts in cases:
        if "password1" in data and "password2" not in data:
            data = {**data, "password2": data["password1"]}
        pages = {code: submit(client, code, looked_up, "signup/", data) for code in CODES}
        for code, page in pages.items():
            help_texts = [
                expected(code, "Enter the same password as before, for verification."),
                expected(
                    code,
                    "Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                ),
                expected(
                    code,
                    "Your password must contain at least %(min_length)d character.",
                    8,
                    min_length=8,
                ),
                *(expected(code, text) for text in HELP_TEXT),
            ]
            check_page(page, *texts(code), *help_texts)
        assert_not_spanish(pages)


def test_sign_in_errors(client, make_user, looked_up):
    make_user("ana")
    cases = [
        ({}, lambda c: [expected(c, "This field is required.")]),
        (
            # A name per language: five failures for one name would pause its sign-in.
            lambda c: {"username": f"nobody-{c}", "password": "not-the-password"},
            lambda c: [
                expected(
                    c,
                    "Please enter a correct %(username)s and password. Note that both fields "
                    "may be case-sensitive.",
                    username=expected(c, "username"),
                )
            ],
        ),
        (
            {"username": "a" * 200, "password": "x"},
            lambda c: [
                expected(
                    c,
                    "Ensure this value has at most %(limit_value)d character (it has "
                    "%(show_value)d).",
                    150,
                    limit_value=150,
                    show_value=200,
                )
            ],
        ),
    ]
    for data, texts in cases:
        pages = {
            code: submit(client, code, looked_up, "login/", data(code) if callable(data) else data)
            for code in CODES
        }
        for code, page in pages.items():
            check_page(page, *texts(code))
        assert_not_spanish(pages)


def test_password_reset_request_and_confirm_errors(client, user, looked_up):
    for data, msgid in [
        ({}, "This field is required."),
        ({"email": "nope"}, "Enter a valid email address."),
    ]:
        pages = {code: submit(client, code, looked_up, "password/reset/", data) for code in CODES}
        for code, page in pages.items():
            check_page(page, expected(code, msgid))
        assert_not_spanish(pages)

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    pages: dict[str, Page] = {}
    for code in CODES:
        # The emailed link stores the token in the session and redirects to the form.
        response = client.get(f"/{code}/account/password/reset/{uid}/{token}/")
        assert response.status_code == 302, response.status_code
        path = response["Location"].split("/account/", 1)[1]
        shown: list[str] = []
        for data in (
            {},
            {"new_password1": "a1b2c3d4e5", "new_password2": "z9y8x7w6v5"},
            {"new_password1": "a1b2", "new_password2": "a1b2"},
        ):
            page = submit(client, code, looked_up, path, data)
            check_page(page, *(expected(code, text) for text in HELP_TEXT))
            assert expected(code, "New password") in page.html
            shown.extend(page.messages)
        pages[code] = Page(code, "", shown)
        check_page(
            pages[code],
            expected(code, "This field is required."),
            expected(code, "The two password fields didn’t match."),
            expected(
                code,
                TOO_SHORT,
                8,
            ),
        )
    assert_not_spanish(pages)


def test_password_change_errors(client, user, looked_up):
    client.force_login(user)
    pages = {}
    for code in CODES:
        page = submit(
            client,
            code,
            looked_up,
            "password/change/",
            {"old_password": "wrong", "new_password1": "12345678", "new_password2": "12345678"},
        )
        check_page(
            page,
            expected(code, "Your old password was entered incorrectly. Please enter it again."),
            *(expected(code, text) for text in HELP_TEXT),
        )
        assert expected(code, "Old password") in page.html
        assert expected(code, "New password confirmation") in page.html
        mismatch = submit(
            client,
            code,
            looked_up,
            "password/change/",
            {"old_password": PASSWORD, "new_password1": "a1b2c3d4e5", "new_password2": "x"},
        )
        check_page(mismatch, expected(code, "The two password fields didn’t match."))
        pages[code] = page
        page.messages.extend(mismatch.messages)
    assert_not_spanish(pages)


def test_profile_forms_errors(client, user, looked_up):
    client.force_login(user)
    not_an_image = SimpleUploadedFile("a.png", b"not an image", content_type="image/png")
    cases: list[tuple[str, dict, Callable[[str], list[str]]]] = [
        (
            "profile/details/",
            {"profile-display_name": "x" * 90, "profile-avatar": not_an_image},
            lambda c: [
                expected(
                    c,
                    "Upload a valid image. The file you uploaded was either not an image or a "
                    "corrupted image.",
                ),
                expected(
                    c,
                    "Ensure this value has at most %(limit_value)d character (it has "
                    "%(show_value)d).",
                    80,
                    limit_value=80,
                    show_value=90,
                ),
            ],
        ),
        (
            "profile/preferences/",
            {"prefs-language": "xx", "prefs-theme": "dark", "prefs-palette": "sand"},
            lambda c: [
                expected(
                    c,
                    "Select a valid choice. %(value)s is not one of the available choices.",
                    value="xx",
                )
            ],
        ),
        ("profile/robots/", {}, lambda c: [expected(c, "This field is required.")]),
        (
            "profile/keys/",
            {"key-name": "k", "key-scopes": ["nope"]},
            lambda c: [
                expected(
                    c,
                    "Select a valid choice. %(value)s is not one of the available choices.",
                    value="nope",
                )
            ],
        ),
    ]
    for path, data, texts in cases:
        pages = {}
        for code in CODES:
            if hasattr(data.get("profile-avatar"), "seek"):
                data["profile-avatar"].seek(0)
            pages[code] = submit(client, code, looked_up, path, data)
            check_page(pages[code], *texts(code))
        assert_not_spanish(pages)


def test_avatar_widget_speaks_the_language(client, user, looked_up):
    client.force_login(user)
    response = client.post(
        "/es/account/profile/details/", {"profile-avatar": image_upload("a.png")}
    )
    assert response.status_code == 302
    for code in CODES:
        page = submit(client, code, looked_up, "profile/")
        check_page(page)
        both = submit(
            client,
            code,
            looked_up,
            "profile/details/",
            {"profile-avatar": image_upload("b.png"), "profile-avatar-clear": "on"},
        )
        check_page(
            both,
            expected(code, "Please either submit a file or check the clear checkbox, not both."),
        )


def test_one_word_for_password_per_language():
    """The site's own strings and Django's overridden ones name the password alike."""
    words = {
        "es": "contraseña",
        "en": "password",
        "fr": "mot de passe|mots de passe",
        "pt": "senha",
        "ar": "كلمة المرور",
        "zh-hans": "密码",
        "ja": "パスワード",
        "hi": "पासवर्ड",
    }
    for code, word in words.items():
        for (_context, msgid), entry in catalogue(code).items():
            if "password" not in msgid.lower():
                continue
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                if text:
                    assert re.search(word, text.lower()) or re.search(
                        "كلم(ة|تا) (ال)?مرور", text
                    ), (
                        code,
                        msgid,
                        text,
                    )
