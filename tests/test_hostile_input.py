"""Hostile input on every public URL, in every language: never a 5xx, never a traceback.

One table of hostile values (HOSTILE) goes to every parameter of every public URL (TARGETS):
each value in turn, in the query string of a GET, the body of a POST (the other fields
valid), a path segment, a header or a cookie; spoofed proxy headers ride along on every
request. The whole table runs in Spanish; the nastiest values (NASTIEST) run in all eight
languages. An answer may be a 4xx or the normal page ignoring the junk, never a 5xx; HTML
never carries the <script> it was sent; no redirect leaves the site; and nothing is logged
with a traceback.

Each request runs in a savepoint rolled back after it, so what one request writes (a pending
sign-up, a failed sign-in counted by django-axes) never changes the next one's answer.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Literal
from urllib.parse import quote, unquote_to_bytes, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from wagtail.documents import get_document_model

from cms.accounts import urls as account_urls
from cms.accounts.forms import ApiKeyForm, PreferencesForm, ProfileForm, SignupForm
from cms.home.models import HomePage
from cms.orders import urls as order_urls
from cms.orders.forms import AddToCartForm, CheckoutForm, PaymentForm, UpdateLineForm
from cms.orders.payments import TestPaymentProvider
from cms.robots.forms import RobotForm
from cms.robots.models import Robot
from cms.shop.api import (
    ProductsAPIViewSet,
    PublicDocumentsAPIViewSet,
    PublicImagesAPIViewSet,
    PublicPagesAPIViewSet,
)
from cms.shop.forms import CatalogueFilterForm
from cms.shop.models import ProductPage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("renditions")]

CODES = [code for code, _name in settings.LANGUAGES]
FORM = "application/x-www-form-urlencoded"
SCRIPT = '<script>alert("hostile")</script>'
PASSWORD = "Correct-Horse-Battery-9"
OWNER = "hostile-owner"

# Sent with every request: a client pretending to be behind proxies it is not behind.
SPOOFED = {
    "HTTP_X_FORWARDED_FOR": "1.2.3.4, 5.6.7.8",
    "HTTP_X_FORWARDED_HOST": "evil.example",
    "HTTP_X_FORWARDED_PROTO": "gopher",
    "HTTP_X_FORWARDED_PORT": "99999",
    "HTTP_X_REAL_IP": "9.9.9.9",
    "HTTP_FORWARDED": "for=evil;host=evil.example;proto=gopher",
}


# --- The hostile values ---------------------------------------------------------------------


@dataclass(frozen=True)
class Hostile:
    """One hostile value, and how it is written into a query string, a form body, a path
    segment or a header. `encoded` is sent as it is: bytes that are not UTF-8."""

    id: str
    value: str = ""
    encoded: str | None = None
    shape: Literal["", "repeated", "array", "names", "too-many"] = ""

    @property
    def quoted(self) -> str:
        return self.encoded if self.encoded is not None else quote(self.value, safe="")

    def pair(self, name: str) -> str:
        """`name=value` for a query string or a form body (the shapes add more pairs)."""
        key = quote(name, safe="")
        if self.shape == "repeated":
            return "&".join(f"{key}={value}" for value in ("1", "-1", "%00", "", "abc", "1"))
        if self.shape == "array":
            return f"{key}%5B%5D=1&{key}%5B%5D=2&{key}%5B0%5D%5Bx%5D=3&{key}%5B%5D="
        if self.shape == "names":  # hostile names for the other parameters
            junk = ["%00", "%ff%fe", quote(SCRIPT, safe=""), "a%5Bb%5D%5Bc%5D", "k" * 300, "", "="]
            return "&".join([f"{key}=1", *(f"{name}=1" for name in junk), "&&"])
        if self.shape == "too-many":  # over DATA_UPLOAD_MAX_NUMBER_FIELDS
            return "&".join(f"{key}={number}" for number in range(1001))
        return f"{key}={self.quoted}"

    @property
    def in_path(self) -> bool:
        return not self.shape

    @property
    def in_header(self) -> bool:
        """No server hands over a header value with a NUL or a line break in it (h11, llhttp
        and nginx refuse the request); a quoted cookie can still carry them (cookie-escape)."""
        return not self.shape and not {"\x00", "\r", "\n"} & set(self.text)

    @property
    def text(self) -> str:
        """What a WSGI server would hand over: the raw bytes as latin-1 (PEP 3333)."""
        return unquote_to_bytes(self.quoted).decode("latin-1")


HOSTILE = [
    Hostile("nul", "\x00"),
    Hostile("nul-inside", "ab\x00cd"),
    Hostile("double-quote", '"'),
    Hostile("single-quote", "'"),
    Hostile("star", "*"),
    Hostile("open-paren", "("),
    Hostile("close-paren", ")"),
    Hostile("boolean-words", "AND OR NOT"),
    Hostile("search-syntax", '"a" -b +c* NEAR(d e) f:g ^h {i} [j] \\k %l _m'),
    Hostile("hyphen", "-"),
    Hostile("colon", ":"),
    Hostile("backslash", "\\"),
    Hostile("percent", "%"),
    Hostile("underscore", "_"),
    Hostile("bracket", "["),
    Hostile("brace", "{"),
    Hostile("sql", "' OR 1=1--"),
    Hostile("huge-int", "99999999999999999999999"),
    Hostile("bigint-edge", "9223372036854775808"),
    Hostile("negative", "-1"),
    Hostile("huge-negative", "-99999999999999999999999"),
    Hostile("zero", "0"),
    Hostile("float", "1.5"),
    Hostile("exponent", "1e309"),
    Hostile("nan", "NaN"),
    Hostile("infinity", "Infinity"),
    Hostile("minus-infinity", "-Infinity"),
    Hostile("first-date", "0001-01-01"),
    Hostile("last-date", "9999-12-31T23:59:59-12:00"),
    Hostile("long", "x" * 10_000),
    Hostile("many-words", " ".join(["run"] * 2_000)),
    Hostile("invalid-utf8", encoded="%ff%fe"),
    Hostile("overlong-utf8", encoded="%c0%ae%c0%ae%c0%af"),
    Hostile("arabic", "مرحبا بالعالم"),
    Hostile("devanagari", "नमस्ते दुनिया"),
    Hostile("cjk", "你好世界 こんにちは"),
    Hostile("bidi-emoji", "\u202e\U0001f3c3\u200d\u2640\ufe0f\u200b\ufeff"),
    Hostile("path-traversal", "../../etc/passwd"),
    Hostile("deep-path", "a/" * 300),
    Hostile("header-injection", "\r\nSet-Cookie:x=1"),
    # In a cookie, Django unquotes octal escapes: a NUL and a newline, in a session-key size.
    Hostile("cookie-escape", '"\\000\\012' + "k" * 38 + '"'),
    Hostile("open-redirect", "//evil.example/"),
    Hostile("javascript-url", "javascript:alert(1)"),
    Hostile("script", SCRIPT),
    Hostile("empty", ""),
    Hostile("spaces", "  \t "),
    Hostile("repeated", shape="repeated"),
    Hostile("array", shape="array"),
    Hostile("hostile-names", shape="names"),
    Hostile("too-many-fields", shape="too-many"),
]
BY_ID = {hostile.id: hostile for hostile in HOSTILE}
assert len(BY_ID) == len(HOSTILE)
# In the other seven languages, and for parameters a URL does not read (with the shapes).
NASTIEST = [BY_ID[name] for name in ("nul", "sql", "huge-int", "invalid-utf8", "long")]
FEW = [*NASTIEST, BY_ID["script"], *(hostile for hostile in HOSTILE if hostile.shape)]


# --- The URLs and their parameters ----------------------------------------------------------

Where = Literal["query", "form", "path", "header", "cookie", "csrf"]


@dataclass(frozen=True)
class Param:
    """Where a value goes, and under which name. `read`: whether the URL reads it. One it
    does not gets the FEW values in Spanish rather than the whole table: what they meet is
    Django's parsing, the same on every URL, and the whole table goes to the unknown "x" of
    the URLs that do something with one (/ copies it into its redirect, the API refuses it,
    robots.txt and /health/ answer without a template)."""

    where: Where
    name: str
    read: bool = True

    @property
    def id(self) -> str:
        return f"{self.where}:{self.name}"

    @property
    def values(self) -> list[Hostile]:
        return HOSTILE if self.read else FEW


def query(*names: str) -> tuple[Param, ...]:
    return tuple(Param("query", name) for name in names)


def form(*names: str) -> tuple[Param, ...]:
    return tuple(Param("form", name) for name in names)


def ignored(*names: str) -> tuple[Param, ...]:
    return tuple(Param("query", name, read=False) for name in names)


def form_fields(form_class: type) -> tuple[str, ...]:
    """The names a form's fields take in a POST body (with the form's prefix)."""
    prefix = getattr(form_class, "prefix", None)
    return tuple(f"{prefix}-{name}" if prefix else name for name in form_class.base_fields)


@dataclass(frozen=True)
class Target:
    """A public URL. `path(code)` builds it (page URLs come from the database); each
    "{name}" in it is a path parameter, filled with `valid[name]` unless it is under test.
    Form fields not under test get `valid` values (or "ok"): the value tested is the only
    bad one."""

    id: str
    path: Callable[[str], str]
    params: tuple[Param, ...]
    valid: Mapping[str, str | Callable[[], str]] = field(default_factory=dict)
    prefixed: bool = True  # under /<lang>/: run in every language
    get: bool = True  # answers GET (else its path, header and cookie tests POST the form)
    post: bool = False  # answers POST (implied by form fields)
    headers: Mapping[str, str] = field(default_factory=dict)
    signed_in: bool = False
    setup: Callable[[Client], str] | None = None  # requests first; returns the path to use

    @property
    def takes_form(self) -> bool:
        return self.post or any(param.where == "form" for param in self.params)


@cache
def page_url(model: str, code: str) -> str:
    """The first live page of this type in this language (the demo content never changes)."""
    page = (
        apps.get_model(model)
        .objects.live()
        .filter(locale__language_code=code, alias_of__isnull=True)
        .order_by("path")
        .first()
    )
    assert page is not None, (model, code)
    return page.get_url()


def page(model: str) -> Callable[[str], str]:
    return lambda code: page_url(model, code)


COVERED_URLS: dict[str, set[str]] = {"accounts": set(), "orders": set()}


def named(namespace: str, name: str, **samples: str) -> Callable[[str], str]:
    """/<code>/…, the URL `namespace:name`, with "{name}" for each path parameter (`samples`
    fit its converter and appear nowhere else in the path)."""
    COVERED_URLS[namespace].add(name)

    def build(code: str) -> str:
        with translation.override(code):
            path = reverse(f"{namespace}:{name}", kwargs=samples or None)
        assert path.startswith(f"/{code}/"), path
        for key, sample in samples.items():
            path = path.replace(sample, "{" + key + "}")
        return path

    return build


def account(name: str, **samples: str) -> Callable[[str], str]:
    return named("accounts", name, **samples)


def owned_robot(name: str) -> Callable[[Client], str]:
    """With a robot of OWNER's: its Spanish URL `accounts:name`."""
    COVERED_URLS["accounts"].add(name)

    def setup(client: Client) -> str:
        owner = get_user_model().objects.get(username=OWNER)
        robot = Robot.objects.create(owner=owner, name="Hostile rover")
        return reverse(f"accounts:{name}", kwargs={"pk": robot.pk})

    return setup


def shop(name: str, **samples: str) -> Callable[[str], str]:
    return named("orders", name, **samples)


def fixed(path: str) -> Callable[[str], str]:
    return lambda code: path


def reset_link(client: Client) -> str:
    """A real password-reset link, followed: the set-password form it leads to."""
    user = get_user_model().objects.get(username=OWNER)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    response = client.get(f"/es/account/password/reset/{uid}/{token}/")
    assert response.status_code == 302, response
    return response["Location"]


def for_sale() -> ProductPage:
    """A Spanish product in stock (the demo content never changes)."""
    return ProductPage.objects.live().filter(locale__language_code="es", stock__gt=0).first()


def fill_cart(client: Client) -> None:
    response = client.post(reverse("orders:cart_add"), {"product": for_sale().pk, "quantity": 1})
    assert response.status_code == 302, response


def cart_path(name: str) -> Callable[[Client], str]:
    """With one product in the cart: the Spanish URL `orders:name`."""
    COVERED_URLS["orders"].add(name)

    def setup(client: Client) -> str:
        fill_cart(client)
        return reverse(f"orders:{name}")

    return setup


def placed_order(name: str) -> Callable[[Client], str]:
    """With an order placed from this session and waiting for payment: its `orders:name`."""
    COVERED_URLS["orders"].add(name)

    def setup(client: Client) -> str:
        fill_cart(client)
        response = client.post(reverse("orders:checkout"), ADDRESS)
        assert response.status_code == 302, response
        reference = response["Location"].rstrip("/").split("/")[-2]
        return reverse(f"orders:{name}", kwargs={"reference": reference})

    return setup


def api(endpoint: str, view: type, *filters: str) -> Target:
    """A listing: its operations and filters (Wagtail's, the catalogue's for products), the
    fields it filters on, and an unknown parameter (which it refuses with a 400)."""
    return Target(
        f"api-{endpoint}",
        fixed(f"/api/v2/{endpoint}/"),
        query(*sorted(view.known_query_parameters), *filters, "x"),
        prefixed=False,
        valid={"limit": "2"},  # kept small: what is tested is the filter, not serialising
    )


CATALOGUE = "shop.ProductIndexPage"
LOGIN = {"username": "hostile-visitor", "password": "not-the-password", "next": "/es/"}
NEW_PASSWORD = {"new_password1": PASSWORD, "new_password2": PASSWORD}
ADDRESS = {
    "email": "buyer@example.com",
    "full_name": "Ada Buyer",
    "address_line1": "Calle Mayor 1",
    "address_line2": "",
    "city": "Madrid",
    "postal_code": "28013",
    "country": "ES",
}
NO_ORDER = {"reference": "CR-NOSUCH00"}
# What every request carries that a visitor controls; sent to the sign-in page, whose form
# reads the session and CSRF cookies and Origin, and whose failures django-axes records with
# the User-Agent. The others get the FEW: the language ones get the whole table at "/", the
# only URL that reads them (the prefix decides elsewhere); nothing here reads the rest.
HEADERS_AND_COOKIES = (
    Param("header", "Origin"),
    Param("header", "User-Agent"),
    Param("cookie", settings.SESSION_COOKIE_NAME),
    Param("cookie", settings.CSRF_COOKIE_NAME),
    Param("csrf", "csrfmiddlewaretoken"),  # checked: a forged token, and its cookie
    Param("header", "Accept-Language", read=False),
    Param("header", "Referer", read=False),
    Param("header", "X-Requested-With", read=False),
    Param("header", "X-Forwarded-For", read=False),
    Param("cookie", settings.LANGUAGE_COOKIE_NAME, read=False),
    Param("cookie", "messages", read=False),
)

TARGETS = [
    # Wagtail pages: every type (they read no parameter), the catalogue's filters, sort,
    # search and pages, and the fragment search.js fetches; unknown slugs at two depths.
    Target("home", page("home.HomePage"), ignored("page", "x")),
    Target("standard-page", page("home.StandardPage"), ignored("page")),
    Target("buddy-index", page("buddy.BuddyIndexPage"), ignored("page")),
    Target("buddy-topic", page("buddy.BuddyPage"), ignored("page")),
    Target("product", page("shop.ProductPage"), ignored("page")),
    Target(
        "catalogue",
        page(CATALOGUE),
        (*query(*CatalogueFilterForm.base_fields, "page"), *ignored("x")),
    ),
    Target(
        "catalogue-fragment",
        page(CATALOGUE),
        (*query("q", "page"), *ignored("sort")),
        headers={"HTTP_X_REQUESTED_WITH": "fetch"},
    ),
    Target(
        "page-path",
        lambda code: f"/{code}/{{slug}}/",
        (Param("path", "slug"),),
        valid={"slug": "no-such-page"},
    ),
    Target(
        "nested-path",
        lambda code: page_url(CATALOGUE, code) + "{slug}",  # no slash: CommonMiddleware's
        (Param("path", "slug"),),
        valid={"slug": "no-such-product"},
    ),
    # Accounts: each form with its other fields valid, bogus links, a real reset link.
    Target(
        "login",
        account("login"),
        (*query("next"), *form(*LOGIN), *HEADERS_AND_COOKIES),
        valid=LOGIN,
    ),
    Target(
        "signup",
        account("signup"),
        (*ignored("x"), *form(*form_fields(SignupForm))),
        valid={
            "username": "hostile_visitor",
            "email": "hostile@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    ),
    Target("signup-sent", account("signup_sent"), ignored("x")),
    Target(
        "signup-confirm",
        account("signup_confirm", token="TOKENSAMPLE"),
        (Param("path", "token"),),
        valid={"token": "not-a-token"},
        post=True,  # the button that creates the account
    ),
    Target("logout", account("logout"), form("next"), get=False),
    Target("password-change", account("password_change"), query("next")),
    Target("password-reset", account("password_reset"), (*ignored("x"), *form("email"))),
    Target("password-reset-done", account("password_reset_done"), ignored("x")),
    Target(
        "password-reset-confirm",
        account("password_reset_confirm", uidb64="UIDSAMPLE", token="TOKENSAMPLE"),
        (Param("path", "uidb64"), Param("path", "token"), *form(*NEW_PASSWORD)),
        valid={"uidb64": "MQ", "token": "bogus-token", **NEW_PASSWORD},
    ),
    Target(
        "password-reset-set",
        fixed(""),
        form(*NEW_PASSWORD),
        valid=NEW_PASSWORD,
        prefixed=False,  # the link is Spanish; the form is the same in every language
        setup=reset_link,
    ),
    Target("password-reset-complete", account("password_reset_complete"), ignored("x")),
    Target("profile-anonymous", account("profile"), ignored("x")),
    # Signed in: the profile page's forms (free text gets the table; choices the FEW).
    Target("profile", account("profile"), ignored("x"), signed_in=True),
    Target(
        "profile-details",
        account("profile_details"),
        form(*(name for name in form_fields(ProfileForm) if name != "profile-avatar")),
        get=False,
        signed_in=True,
    ),
    Target(
        "profile-preferences",
        account("profile_preferences"),
        tuple(Param("form", name, read=False) for name in form_fields(PreferencesForm)),
        valid={"prefs-language": "es", "prefs-theme": "system", "prefs-palette": "gator"},
        get=False,
        signed_in=True,
    ),
    Target(
        "robot-create",
        account("robot_create"),
        form(*form_fields(RobotForm)),
        valid={"robot-name": "Rover"},
        get=False,
        signed_in=True,
    ),
    Target(
        "key-create",
        account("key_create"),
        tuple(Param("form", name, read=name == "key-name") for name in form_fields(ApiKeyForm)),
        valid={"key-name": "Laptop", "key-scopes": "telemetry:read", "key-robot": ""},
        get=False,
        signed_in=True,
    ),
    Target(
        "key-revoke",
        account("key_revoke", pk="987654321"),
        (Param("path", "pk"),),
        valid={"pk": "1"},
        get=False,
        post=True,
        signed_in=True,
    ),
    # A robot of the user's renamed or deleted; anyone else's (or no) robot id is a 404.
    Target(
        "robot-rename",
        fixed(""),
        form(*form_fields(RobotForm)),
        valid={"robot-name": "Rover"},
        prefixed=False,  # the robot's URL is Spanish; the view is the same in every language
        signed_in=True,
        setup=owned_robot("robot_rename"),
    ),
    Target(
        "robot-rename-pk",
        account("robot_rename", pk="987654321"),
        (Param("path", "pk"), *ignored("x")),
        valid={"pk": "1"},
        post=True,
        signed_in=True,
    ),
    Target(
        "robot-delete",
        fixed(""),
        ignored("x"),
        post=True,  # no telemetry service here: the robot is kept, and the profile says why
        prefixed=False,
        signed_in=True,
        setup=owned_robot("robot_delete"),
    ),
    Target(
        "robot-delete-pk",
        account("robot_delete", pk="987654321"),
        (Param("path", "pk"),),
        valid={"pk": "1"},
        post=True,
        signed_in=True,
    ),
    # Your data: the download (no robots: no telemetry needed), deleting the account with
    # the password (rolled back after each request), the page that follows it.
    Target("data-export", account("data_export"), ignored("x"), signed_in=True),
    Target(
        "account-delete",
        account("account_delete"),
        form("password"),
        valid={"password": PASSWORD},
        signed_in=True,
    ),
    Target("account-deleted", account("deleted"), ignored("x")),
    # The cart, checkout, payment and "My orders" (products by id or translation key).
    Target("cart", shop("cart"), ignored("x")),
    Target(
        "cart-add",
        shop("cart_add"),
        (*form(*form_fields(AddToCartForm)), Param("header", "Origin")),
        valid={"product": lambda: str(for_sale().pk), "quantity": "1"},
        get=False,
    ),
    Target(
        "cart-update",
        fixed(""),
        form(*form_fields(UpdateLineForm)),
        valid={"product": lambda: str(for_sale().translation_key), "quantity": "2"},
        get=False,
        prefixed=False,  # the cart is filled in Spanish; the view is the same in every language
        setup=cart_path("cart_update"),
    ),
    Target(
        "checkout",
        fixed(""),
        form(*form_fields(CheckoutForm)),
        valid=ADDRESS,
        prefixed=False,
        setup=cart_path("checkout"),
    ),
    Target(
        "pay",
        fixed(""),
        form(*form_fields(PaymentForm)),
        valid={"outcome": TestPaymentProvider.APPROVE},
        prefixed=False,
        setup=placed_order("pay"),
    ),
    Target(
        "pay-reference",
        shop("pay", reference="CR-SAMPLE0"),
        (Param("path", "reference"),),
        valid=NO_ORDER,
    ),
    Target("done", fixed(""), ignored("x"), prefixed=False, setup=placed_order("done")),
    Target(
        "done-reference",
        shop("done", reference="CR-SAMPLE0"),
        (Param("path", "reference"),),
        valid=NO_ORDER,
    ),
    Target("order-list", shop("order_list"), ignored("x"), signed_in=True),
    Target(
        "order-detail",
        shop("order_detail", reference="CR-SAMPLE0"),
        (Param("path", "reference"),),
        valid=NO_ORDER,
        signed_in=True,
    ),
    # Outside the language prefixes.
    Target(
        "language-root",
        fixed("/"),
        (
            *query("x"),  # copied into the redirect
            Param("header", "Accept-Language"),
            Param("cookie", settings.LANGUAGE_COOKIE_NAME),
        ),
        prefixed=False,
    ),
    Target("unprefixed-redirect", fixed("/account/login/"), query("next"), prefixed=False),
    Target(
        "switch-language",
        fixed("/language/"),
        (*ignored("x"), *form("language", "page")),  # "page": the home page, from world
        valid={"language": "en"},
        get=False,
        prefixed=False,
    ),
    Target("robots-txt", fixed("/robots.txt"), query("x"), prefixed=False),
    Target("sitemap", fixed("/sitemap.xml"), (*query("p"), *ignored("x")), prefixed=False),
    Target("health", fixed("/health/"), query("x"), prefixed=False),
    Target(
        "document",
        fixed("/documents/{document}/{name}"),
        (Param("path", "document"), Param("path", "name"), *ignored("x")),
        prefixed=False,
    ),
    Target("static", fixed("/static/{static}"), (Param("path", "static"),), prefixed=False),
    Target(
        "admin-login",
        fixed("/admin/login/"),
        (*query("next"), *form("username", "password", "next")),
        valid=LOGIN,
        prefixed=False,
    ),
    api("pages", PublicPagesAPIViewSet, "id", "title", "slug", "show_in_menus"),
    api("products", ProductsAPIViewSet, "id", "sku", "price", "stock", "currency", "slug"),
    api("images", PublicImagesAPIViewSet, "id", "title"),
    api("documents", PublicDocumentsAPIViewSet, "id", "title"),
    Target(
        "api-detail",
        fixed("/api/v2/{endpoint}/{page}/"),
        (Param("path", "endpoint"), Param("path", "page")),
        valid={"endpoint": "pages"},
        prefixed=False,
    ),
    Target(
        "api-find",
        fixed("/api/v2/pages/find/"),
        query("html_path", "id"),
        valid={"html_path": "/tienda/"},  # from the site root: find knows no /es/
        prefixed=False,
    ),
]
TARGET_BY_ID = {target.id: target for target in TARGETS}
assert len(TARGET_BY_ID) == len(TARGETS)


# --- Sending and judging --------------------------------------------------------------------


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_log() -> Iterator[Recorder]:
    """Every WARNING and above, wherever it is logged: on the root logger and on each logger
    that does not pass its records up to it (django, croody.security…)."""
    recorder = Recorder()
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger) and not logger.propagate
    ]
    for logger in loggers:
        logger.addHandler(recorder)
    yield recorder
    for logger in loggers:
        logger.removeHandler(recorder)


@pytest.fixture(autouse=True)
def _unthrottled_api(settings) -> None:
    """The API's rate limit still counts, but never stops the table (a 429 would hide a 500)."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api": "1000000/minute"},
    }


@pytest.fixture
def world(db) -> dict[str, str]:
    """What some URLs need, by parameter name: a user to sign in as (and reset the password
    of), a document to download, a static file, a page (the Spanish home page)."""
    get_user_model().objects.create_user(OWNER, f"{OWNER}@example.com", PASSWORD)
    document = get_document_model().objects.create(
        title="Hostile", file=ContentFile(b"%PDF-1.4\n", name="hostile.pdf")
    )
    home = HomePage.objects.live().get(locale__language_code="es")
    return {
        "document": str(document.pk),
        "name": document.filename,
        "static": "croody/css/base.css",
        "page": str(home.pk),
    }


def is_security_event(record: logging.LogRecord) -> bool:
    """Django logs every SuspiciousOperation (a foreign Host, too many fields) to
    django.security.* with its traceback, by design, and answers 400: not a crash."""
    return record.name.startswith("django.security.") and getattr(record, "status_code", 0) == 400


def summary(record: logging.LogRecord) -> str:
    """The exception, and the innermost frame of ours (or of anyone's) it went through."""
    assert record.exc_info is not None
    _type, error, trace = record.exc_info
    frames = traceback.extract_tb(trace)
    ours = [frame for frame in frames if "/site-packages/" not in frame.filename] or frames
    where = f" at {ours[-1].filename.split('/work/main/')[-1]}:{ours[-1].lineno}" if ours else ""
    return f"{type(error).__name__}: {str(error)[:160]}{where}"


# Where a redirect may point: this site, as the test client or the API's base URL name it.
OUR_HOSTS = {"", "testserver", urlsplit(settings.WAGTAILAPI_BASE_URL).netloc}


def judge(response: HttpResponseBase, records: list[logging.LogRecord]) -> list[str]:
    """What is wrong with this answer (nothing, one hopes)."""
    wrong = [f"status {response.status_code}"] if response.status_code >= 500 else []
    for record in records:
        if is_security_event(record):
            continue
        if record.exc_info:
            wrong.append(f"logged a traceback: {summary(record)}")
        elif record.levelno >= logging.ERROR:
            wrong.append(f"logged {record.levelname} {record.name}: {record.getMessage()[:160]}")
    # Reading a file download to its end closes it, as a server would.
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "html" in response.get("Content-Type", "") and SCRIPT.encode() in body:
        wrong.append("echoes the <script> it was sent")
    location = urlsplit(response.get("Location", ""))
    if location.netloc not in OUR_HOSTS or location.scheme not in ("", "http", "https"):
        wrong.append(f"redirects off the site: {response['Location'][:120]}")
    if "x" in response.cookies:
        wrong.append("sets a cookie named in a parameter")
    return wrong


@cache
def reusable_client(csrf: bool) -> Client:
    """One client of each kind for the whole run: a new one loads the middleware again (and
    WhiteNoise scans the static files), which costs more than most requests here."""
    return Client(raise_request_exception=False, enforce_csrf_checks=csrf)


def fill(
    template: str, values: Mapping[str, str], params: Collection[Param], value: Hostile
) -> str:
    """The path with its "{name}" parameters: hostile ones under test, the others valid."""
    path = template
    for name in [piece.split("}", 1)[0] for piece in template.split("{")[1:]]:
        hostile = Param("path", name) in params
        segment = value.quoted if hostile else quote(values[name], safe="/")
        path = path.replace("{" + name + "}", segment)
    return path


def resolved(values: Mapping[str, str | Callable[[], str]]) -> dict[str, str]:
    """Valid values; a callable one names something in the database (read at request time)."""
    return {name: value() if callable(value) else value for name, value in values.items()}


def form_body(
    target: Target, values: Mapping[str, str], params: Collection[Param], value: Hostile
) -> bytes:
    """The form: valid but for the fields under test."""
    pairs = [
        f"{quote(field.name, safe='')}={quote(values.get(field.name, 'ok'), safe='')}"
        for field in target.params
        if field.where == "form" and field not in params
    ]
    pairs += [value.pair(param.name) for param in params if param.where in ("form", "csrf")]
    return "&".join(pairs).encode("ascii")


def applies(param: Param, value: Hostile) -> bool:
    if param.where == "path":
        return value.in_path
    if param.where in ("header", "cookie", "csrf"):
        return value.in_header
    return True


@dataclass(frozen=True)
class Sent:
    request: str  # method and URL, shortened
    status: int
    problems: list[str]


def exchange(
    target: Target,
    code: str,
    params: Collection[Param],
    value: Hostile,
    world: Mapping[str, str],
    log: Recorder,
) -> list[Sent]:
    """Send `value` as each of `params` of `target` in language `code`, in a savepoint rolled
    back afterwards: a GET, and a POST when the URL takes a form. With no `params`, the valid
    request(s). What came back, and what is wrong with it."""
    chosen = [param for param in params if applies(param, value)]
    if params and not chosen:
        return []
    csrf = any(param.where == "csrf" for param in chosen)
    client = reusable_client(csrf)
    client.cookies.clear()
    meta = {**SPOOFED, **target.headers}
    cookies = [f"{param.name}={value.text}" for param in chosen if param.where == "cookie"]
    if csrf:
        cookies.append(f"{settings.CSRF_COOKIE_NAME}={value.text}")
    if cookies:
        meta["HTTP_COOKIE"] = "; ".join(cookies)
    for param in chosen:
        if param.where == "header":
            meta["HTTP_" + param.name.upper().replace("-", "_")] = value.text
    wheres = {param.where for param in chosen}
    sent = []
    with transaction.atomic():
        if target.signed_in:
            client.force_login(get_user_model().objects.get(username=OWNER))
        template = target.setup(client) if target.setup else target.path(code)
        values = {**world, **resolved(target.valid)}
        url = fill(template, values, chosen, value)
        pairs = [value.pair(param.name) for param in chosen if param.where == "query"]
        pairs += [
            f"{param.name}={quote(values[param.name], safe='/')}"
            for param in target.params
            if param.where == "query" and param.name in target.valid and param not in chosen
        ]
        if pairs:
            url += "?" + "&".join(pairs)
        requests: list[tuple[str, bytes | None]] = []
        if target.get and (not chosen or wheres - {"form", "csrf"}):
            requests.append(("GET", None))
        if target.takes_form and (not target.get or not chosen or wheres - {"query"}):
            requests.append(("POST", form_body(target, values, chosen, value)))
        shown = url if len(url) < 120 else f"{url[:100]}…({len(url)} characters)"
        for method, body in requests:
            log.records.clear()
            if body is None:
                response = client.get(url, **meta)
            else:
                response = client.post(url, body, content_type=FORM, **meta)
            request = f"{method} {shown} [{value.id}]"
            sent.append(Sent(request, response.status_code, judge(response, log.records)))
        transaction.set_rollback(True)
    return sent


def problems(sent: list[Sent]) -> str:
    """The problems, one a line, each after its request ("" when there are none)."""
    return "\n".join(
        f"{answer.request}: {problem}" for answer in sent for problem in answer.problems
    )


# --- The tests ------------------------------------------------------------------------------

# The valid request's answer is a 2xx or 3xx but for these, whose valid values name nothing.
WHEN_VALID = {
    "page-path": {404},
    "nested-path": {301},
    "key-revoke": {404},
    "robot-rename-pk": {404},
    "robot-delete-pk": {404},
    "pay-reference": {404},
    "done-reference": {404},
    "order-detail": {404},
}


@pytest.mark.parametrize(
    ("target", "code"),
    [
        pytest.param(target, code, id=f"{target.id}-{code}")
        for target in TARGETS
        # Arabic too (right to left) where the URL has a language prefix.
        for code in (["es", "ar"] if target.prefixed else ["es"])
    ],
)
def test_each_url_answers_its_valid_request(target, code, world, server_log):
    """The table below is only as good as its URLs: each one, with valid values, reaches the
    page or form it names (a 404 would test nothing but the 404 page)."""
    sent = exchange(target, code, [], BY_ID["empty"], world, server_log)
    assert sent and not problems(sent), problems(sent)
    expected = WHEN_VALID.get(target.id, range(200, 400))
    assert all(answer.status in expected for answer in sent), sent


@pytest.mark.parametrize(
    ("target", "param"),
    [
        pytest.param(target, param, id=f"{target.id}-{param.id}")
        for target in TARGETS
        for param in target.params
    ],
)
def test_every_hostile_value_in_spanish(target, param, world, server_log):
    sent = [
        answer
        for value in param.values
        for answer in exchange(target, "es", [param], value, world, server_log)
    ]
    assert not problems(sent), problems(sent)


@pytest.mark.parametrize("code", CODES[1:])  # Spanish: the whole table, above
@pytest.mark.parametrize(
    "target", [pytest.param(target, id=target.id) for target in TARGETS if target.prefixed]
)
def test_the_nastiest_values_in_every_language(target, code, world, server_log):
    """Each value in every parameter of the URL at once: a GET, and a POST for a form.
    Left out: the forged CSRF token (it would stop every POST before the form is read)."""
    params = [param for param in target.params if param.where != "csrf"]
    sent = [
        answer
        for value in NASTIEST
        for answer in exchange(target, code, params, value, world, server_log)
    ]
    assert not problems(sent), problems(sent)


@pytest.fixture
def page_cache(settings) -> None:
    """The page cache on (the suite runs with it off), in a namespace of this test's own."""
    settings.PAGE_CACHE_SECONDS = 600
    pages = {**settings.CACHES["pages"], "KEY_PREFIX": f"hostile-{uuid.uuid4().hex}"}
    settings.CACHES = {**settings.CACHES, "pages": pages}


@pytest.mark.usefixtures("page_cache")
@pytest.mark.parametrize("code", ["es", "ar"])
@pytest.mark.parametrize(
    "target_id", ["home", "catalogue", "catalogue-fragment", "page-path", "login"]
)
def test_the_nastiest_values_with_the_page_cache_on(target_id, code, world, server_log):
    """In production the page cache answers first, keyed by host, path and query: each
    request twice (stored, then served from the cache)."""
    target = TARGET_BY_ID[target_id]
    params = [param for param in target.params if param.where != "csrf"]
    sent = [
        answer
        for value in [*NASTIEST, BY_ID["deep-path"], BY_ID["invalid-utf8"]]
        for _twice in range(2)
        for answer in exchange(target, code, params, value, world, server_log)
    ]
    assert not problems(sent), problems(sent)


# Host headers ALLOWED_HOSTS refuses. Django checks the name, not the port: with an allowed
# name, "localhost:99999" is served (and must not fail either).
REFUSED_HOSTS = [
    "evil.example",
    "evil.example:80",
    "localhost:abc",
    "[::1",
    "localhost@evil.example",
    "localhost\x00",
    "\u2179.example",  # a Roman numeral ten, not an x
    "-.example",
    "a" * 300,
    "",
]
ODD_HOSTS = ["localhost:99999", "LOCALHOST", "localhost."]


@pytest.mark.parametrize(
    "target", [pytest.param(target, id=target.id) for target in TARGETS if not target.setup]
)
def test_a_foreign_host_is_refused_with_400(target, world, server_log):
    """ALLOWED_HOSTS answers 400 on every URL, with the proxy headers spoofed too."""
    client = reusable_client(False)
    client.cookies.clear()
    path = fill(target.path("es"), {**world, **target.valid}, (), NASTIEST[0])
    send = client.get if target.get else client.post
    every = target.id in ("home", "catalogue", "login", "api-products", "robots-txt")
    hosts = [*REFUSED_HOSTS, *ODD_HOSTS] if every else REFUSED_HOSTS[:1]
    # Answered before the check: /health/ on purpose (probes call it by IP address), static
    # files by WhiteNoise (the same bytes whatever the host).
    checked = target.id not in ("health", "static")
    found = []
    for host in hosts:
        server_log.records.clear()
        response = send(path, HTTP_HOST=host, **SPOOFED)
        shown = repr(host[:40])
        found += [f"Host {shown}: {problem}" for problem in judge(response, server_log.records)]
        refused = host in REFUSED_HOSTS and checked
        if refused and response.status_code != 400:
            found.append(f"Host {shown}: {response.status_code}, not 400")
    assert not found, "\n".join(found)


def test_a_session_cookie_that_is_no_session_key_means_no_session(world):
    """cms.base.middleware.SessionMiddleware: never looked up (a NUL in it made PostgreSQL
    fail every page), and deleted; a real session still works."""
    client = reusable_client(False)
    client.cookies.clear()
    junk = f'{settings.SESSION_COOKIE_NAME}="\\000{"k" * 38}"'
    response = client.get("/es/account/profile/", HTTP_COOKIE=junk)
    assert response.status_code == 302 and "/es/account/login/" in response["Location"]
    assert response.cookies[settings.SESSION_COOKIE_NAME].value == ""
    client.force_login(get_user_model().objects.get(username=OWNER))
    assert client.get("/es/account/profile/").status_code == 200


# Every route of cms/urls.py: the targets sending it the table, or why none does.
ROUTES = {
    "admin/": "admin-login (the rest is for signed-in editors)",
    "documents/": "document",
    "health/": "health",
    "robots.txt": "robots-txt",
    "sitemap.xml": "sitemap",
    "language/": "switch-language",
    "": "language-root",
    "api/v2/": "api-*",
    "internal/": "none: for the services only (tests/accounts/test_internal_api.py)",
    "es/": "every target with prefixed=True, in every language",
}


def test_the_table_covers_every_public_url():
    """A new URL fails here until it is in TARGETS (or in ROUTES, with the reason)."""
    from cms import urls

    assert {str(pattern.pattern) for pattern in urls.urlpatterns} <= set(ROUTES)
    assert {pattern.name for pattern in account_urls.urlpatterns} == COVERED_URLS["accounts"]
    assert {pattern.name for pattern in order_urls.urlpatterns} == COVERED_URLS["orders"]
