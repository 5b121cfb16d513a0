"""The language selector keeps the page's state: the catalogue's search, filters, sort and page
go to its version in the other language; hostile values never leave the site or break it."""

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils.http import url_has_allowed_host_and_scheme
from wagtail.models import Locale
from wagtail_localize.synctree import create_aliases_for_new_page

from cms.home.models import HomePage
from cms.shop.models import ProductIndexPage

pytestmark = pytest.mark.django_db

STATE = {"q": "zapatillas", "category": "zapatillas", "sort": "price", "page": "2"}


def catalogue(code: str) -> ProductIndexPage:
    return ProductIndexPage.objects.get(locale__language_code=code, alias_of__isnull=True)


def switch(client: Client, code: str, page_id: object, query: str) -> str:
    """POST the selector as the page renders it; the redirect's Location."""
    response = client.post("/language/", {"language": code, "page": page_id, "query": query})
    assert response.status_code == 302
    location = response["Location"]
    assert url_has_allowed_host_and_scheme(location, allowed_hosts={"testserver"}), location
    assert location.startswith("/") and not location.startswith("//"), location
    return location


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


@pytest.mark.parametrize("code", ["en", "ar", "ja"])
def test_the_catalogue_keeps_search_filters_sort_and_page(client, code):
    location = switch(client, code, catalogue("es").pk, urlencode(STATE))
    target = catalogue(code)
    assert urlsplit(location).path == target.url
    assert query_of(location) == {name: [value] for name, value in STATE.items()}

    response = client.get(location)
    assert response.status_code == 200
    shown = response.context["catalogue"]
    # The category slug is the same in every language, so the filter still applies.
    assert shown.filters["category"] == "zapatillas" and shown.sort == "price"
    assert shown.filters["q"] == "zapatillas"  # a search stays as typed


def test_every_catalogue_parameter_goes_and_nothing_else(client):
    state = {
        "q": "シューズ",  # as typed, in any script
        "category": "sensores",
        "min_price": "10",
        "max_price": "99.5",
        "availability": "in_stock",
        "sort": "-price",
        "page": "3",
    }
    extra = {"utm_source": "mail", "next": "https://evil.example/", "language": "ar"}
    location = switch(client, "ja", catalogue("es").pk, urlencode({**extra, **state}))
    assert urlsplit(location).path == catalogue("ja").url
    assert query_of(location) == {name: [value] for name, value in state.items()}


def test_repeated_parameters_keep_the_first_value(client):
    location = switch(client, "en", catalogue("es").pk, "sort=price&sort=name&q=a&q=b")
    assert query_of(location) == {"sort": ["price"], "q": ["a"]}


def test_no_state_no_query(client):
    assert switch(client, "fr", catalogue("es").pk, "") == catalogue("fr").url
    assert switch(client, "fr", catalogue("es").pk, "utm_source=mail") == catalogue("fr").url


def test_the_state_reaches_an_alias_standing_in_for_a_translation(client):
    """A catalogue not translated yet: its alias in the other language gets the state."""
    home = HomePage.objects.get(locale__language_code="es")
    outlet = home.add_child(instance=ProductIndexPage(title="Saldos", slug="saldos"))
    create_aliases_for_new_page(outlet)
    alias = outlet.get_translation(Locale.objects.get(language_code="fr"))
    assert alias.alias_of_id == outlet.pk
    location = switch(client, "fr", outlet.pk, "q=tempo&sort=name")
    assert location == f"{alias.url}?q=tempo&sort=name"


def test_pages_that_keep_nothing_drop_the_query(client):
    home = HomePage.objects.get(locale__language_code="es")
    assert switch(client, "en", home.pk, "q=zapatillas&sort=price") == "/en/"


@pytest.mark.parametrize(
    "query",
    [
        "q=a%00b",  # NUL
        "q=a\x00b",
        "q=a%0D%0ASet-Cookie:%20x=1",  # CRLF, encoded and raw
        "q=a\r\nSet-Cookie: x=1",
        "q=" + "x" * 10_000,  # far too long
        "q=" + "%E3%82%B7" * 3_000,
        "&".join(f"q{n}=1" for n in range(2_000)),  # too many fields
    ],
)
def test_hostile_values_are_dropped(client, query):
    location = switch(client, "en", catalogue("es").pk, query)
    assert location == catalogue("en").url
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "//evil.example",
        "@evil.example",
        "/\\evil.example",
        "?q=x#//evil.example",
        "https://evil.example/?q=x",
        "q=//evil.example&sort=https://evil.example",
        "\r\nLocation: https://evil.example",
    ],
)
def test_the_redirect_never_leaves_the_site(client, query):
    location = switch(client, "ar", catalogue("es").pk, query)
    assert urlsplit(location).path == catalogue("ar").url
    assert "\r" not in location and "\n" not in location
    # A value that looks like an address is only a value, encoded in the query.
    assert all(not key.startswith("/") for key in query_of(location))
    assert client.get(location).status_code == 200


@pytest.mark.parametrize(
    "page_id",
    [
        "//evil.example",
        "https://evil.example/",
        "²",  # a digit to str.isdigit(), not to int()
        "\uff11\uff12",  # fullwidth digits: int() takes them
        "9" * 10_000,  # past int()'s digit limit
        "99999999999999999999",  # past every id column
        "-1",
        "1e3",
        "\x00",
        "",
    ],
)
def test_a_hostile_page_id_lands_on_the_home_page(client, page_id):
    assert switch(client, "ja", page_id, "q=x&sort=price") == "/ja/"


@pytest.mark.parametrize("language", ["\x00", "ja\r\nSet-Cookie: x=1", "x" * 10_000, "//evil"])
def test_a_hostile_language_falls_back_to_spanish(client, language):
    location = switch(client, language, catalogue("ja").pk, "q=x")
    assert location == f"{catalogue('es').url}?q=x"


def test_the_selector_form_carries_the_query_without_javascript(client):
    """What a visitor with JavaScript off submits: the form's own hidden fields."""
    shop = catalogue("es")
    html = client.get(f"{shop.url}?q=zapatillas&utm_source=mail&sort=price&page=2").content
    html = html.decode()
    assert 'name="query" value="q=zapatillas&amp;sort=price&amp;page=2"' in html
    assert f'<input type="hidden" name="page" value="{shop.pk}">' in html
