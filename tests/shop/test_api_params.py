"""Hostile query parameters on every /api/v2/ endpoint: a JSON 400 (or 404), never a 5xx.

Each row is a value that once reached the database unchecked (a 500 on SQLite, PostgreSQL or
both) or that the API must refuse all the same; cms/shop/api_params.py checks them.
"""

import pytest
from wagtail.images import get_image_model
from wagtail.models import Site

from cms.shop.models import ProductPage

pytestmark = pytest.mark.django_db

API = "/api/v2"
LONG = "a" * 10_000
HUGE = "99999999999999999999999"  # past 64 bits: SQLite and PostgreSQL both refused it
ERROR_CODES = {400: "bad_request", 404: "not_found"}

# On every listing: pagination, output, format, NUL bytes and lengths, in names and values.
EVERY_LISTING = [
    f"offset={HUGE}",
    "offset=9223372036854775808",
    "offset=2147483648",
    "offset=-1",
    "offset=abc",
    "offset=1.5",
    "offset=%EF%BC%91",  # a fullwidth 1: int() takes it
    "offset=%00",
    "offset=",
    f"limit={HUGE}",
    "limit=-1",
    "limit=abc",
    "limit=51",
    "limit=+1",
    "search=%00",
    f"search={LONG}",
    "search=" + "a" * 101,
    "fields=*,-x,(",
    "fields=(",
    "fields=%00",
    "fields=" + "a(" * 6 + "b" + ")" * 6,
    f"fields={LONG}",
    "format=xml",
    "format=api",
    "rich_text_format=x",
    "%00=1",
    "x%00=1",
    f"{'x' * 200}=1",
    "_=%00",
    "id=abc",
    f"id={HUGE}",
    "id=-1",
    "id=%00",
    "nonexistent=1",
]
PAGES = [
    "search_operator=xor&search=a",
    "search_operator=%00&search=a",
    "search_operator=and%20or&search=a",
    "first_published_at=%22",
    "first_published_at=2020-13-45",
    "first_published_at=2020-01-01T00:00:00%2B99:00",
    "first_published_at=" + "9" * 500,
    "first_published_at=9999-12-31T23:59:59-12:00",  # year 10000 in UTC
    "first_published_at=0001-01-01T00:00:00%2B01:00",  # year 0 in UTC
    "show_in_menus=maybe",
    "alias_of=abc",
    f"alias_of={HUGE}",
    "alias_of=%00",
    "title=" + "x" * 256,
    "slug=%00",
    "locale=%00",
    f"locale={LONG}",
    "child_of=abc",
    f"child_of={HUGE}",
    "child_of=-1",
    "descendant_of=-1",
    f"descendant_of={HUGE}",
    "ancestor_of=root",
    f"ancestor_of={HUGE}",
    "translation_of=abc",
    f"translation_of={HUGE}",
    "translation_of=%00",
    "type=nonexistent.Model",
    "type=%00",
    "type=wagtailimages.Image",
    "type=a.b.c",
    "type=shop.ProductPage,",
    "type=shop.ProductPage&price=abc",
    "type=shop.ProductPage&price=1e400",
    "type=shop.ProductPage&price=NaN",
    f"type=shop.ProductPage&category={HUGE}",
    "type=shop.ProductPage&category=abc",
    f"type=shop.ProductPage&stock={HUGE}",
    "type=shop.ProductPage&stock=-1",
    "type=shop.ProductPage&gallery=x",
    "type=shop.ProductPage&order=gallery",
    "type=shop.ProductPage&order=tags",
    "order=unknown",
    "order=-random",
    "order=random,title",
    "order=random&offset=1",
    "order=--title",
    "order=title,",
    "order=%00",
    "site=localhost:abc",
    f"site=localhost:{HUGE}",
    "site=localhost:70000",
    "site=a%20b",
]
IMAGES = [
    "search_operator=xor&search=a",
    "width=abc",
    f"width={HUGE}",
    "height=1.5",
    "order=tags",
    "order=unknown",
    "tags=%00",
    "title=%00",
    "tags=a&search=a",
]
DOCUMENTS = [
    "search_operator=xor&search=a",
    "title=%00",
    "order=-random",
    "order=tags",
]
PRODUCTS = [
    "q=%00",
    f"q={LONG}",
    "q=" + "a" * 101,
    "search_operator=and",
    "order=title",
    "type=shop.ProductPage",
    "child_of=abc",
    f"translation_of={HUGE}",
    "locale=%00",
    "min_price=1e400",
    "sort=%00",
]
BAD_LISTINGS = (
    [
        (endpoint, query)
        for endpoint in ("pages", "images", "documents", "products")
        for query in EVERY_LISTING
    ]
    + [("pages", query) for query in PAGES]
    + [("images", query) for query in IMAGES]
    + [("documents", query) for query in DOCUMENTS]
    + [("products", query) for query in PRODUCTS]
)

# Detail views read the output parameters and run the listing's filters on the one object.
DETAIL = [
    "fields=(",
    "fields=%00",
    "fields=unknown",
    "format=xml",
    "rich_text_format=x",
    "limit=abc",
    f"offset={HUGE}",
    "search=%00",
    f"search={LONG}",
    "id=abc",
    "%00=1",
]
PAGE_DETAIL = ["child_of=abc", f"translation_of={HUGE}", "type=nonexistent.Model", "locale=%00"]


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["error"] == ERROR_CODES[status]
    assert isinstance(body["message"], str) and body["message"]
    return body


@pytest.fixture
def product(shop) -> ProductPage:
    return ProductPage.objects.get(locale=shop.locale, slug="tempo-3")


@pytest.mark.parametrize(("endpoint", "query"), BAD_LISTINGS)
def test_bad_listing_parameters_are_a_json_400(client, endpoint, query):
    assert_json_error(client.get(f"{API}/{endpoint}/?{query}"), 400)


@pytest.mark.parametrize("query", DETAIL)
@pytest.mark.parametrize("endpoint", ["pages", "products", "images"])
def test_bad_detail_parameters_are_a_json_400(client, product, endpoint, query):
    pk = get_image_model().objects.first().pk if endpoint == "images" else product.pk
    assert_json_error(client.get(f"{API}/{endpoint}/{pk}/?{query}"), 400)


@pytest.mark.parametrize("query", PAGE_DETAIL)
@pytest.mark.parametrize("endpoint", ["pages", "products"])
def test_bad_page_filters_on_a_detail_view_are_a_json_400(client, product, endpoint, query):
    response = client.get(f"{API}/{endpoint}/{product.pk}/?{query}")
    if endpoint == "products" and query.startswith("type="):
        assert response.status_code == 200  # products/ takes no ?type= (nor checks it here)
        return
    assert_json_error(response, 400)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("pages/find/?html_path=%00", 400),
        (f"pages/find/?html_path={LONG}", 400),
        ("pages/find/?html_path=/no/such/page/", 404),
        ("pages/find/?html_path=%22", 404),
        ("pages/find/?id=abc", 400),
        ("pages/find/?id=%00", 400),
        (f"pages/find/?id={HUGE}", 400),
        ("pages/find/?id=", 400),
        ("pages/find/?id=999999", 404),
        ("pages/find/", 404),
        ("images/find/?id=abc", 400),
        ("documents/find/?id=%00", 400),
        ("products/find/?id=-1", 400),
        ("products/find/?id=abc", 400),
        (f"pages/{HUGE}/", 404),
        (f"images/{HUGE}/", 404),
        (f"documents/{HUGE}/", 404),
        (f"products/{HUGE}/", 404),
        ("pages/?locale=xx", 404),
        ("products/?locale=xx", 404),
    ],
)
def test_find_and_missing_objects(client, url, status):
    assert_json_error(client.get(f"{API}/{url}"), status)


@pytest.mark.parametrize("endpoint", ["pages", "images", "documents", "products"])
@pytest.mark.parametrize("search", ["%22", "a%22b", "a:b", "NOT", "*", "%5E", "%28", "a%27", "%5C"])
def test_search_syntax_is_plain_text_to_every_backend(client, endpoint, search):
    """FTS5 (SQLite) reads `"`, `:`, `*`, `^`, `(` as syntax: the API searches words only."""
    response = client.get(f"{API}/{endpoint}/?search={search}")
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json()["items"], list)


def test_punctuation_does_not_change_what_a_search_finds(client):
    for endpoint in ("pages", "products"):
        plain = client.get(f"{API}/{endpoint}/?search=zapatillas&fields=_,id&limit=50").json()
        quoted = client.get(f"{API}/{endpoint}/?search=%22zapatillas%22&fields=_,id&limit=50")
        assert plain["meta"]["total_count"] > 0
        assert quoted.json() == plain


def test_valid_values_still_work(client, product):
    site = Site.objects.get(is_default_site=True)
    for url in [
        "pages/?search=zapatillas&search_operator=or&limit=50&offset=0",
        "pages/?search=zapatillas&search_operator=AND",
        "pages/?first_published_at=2020-01-01&show_in_menus=false",
        f"pages/?child_of=root&translation_of={product.pk}&format=json",
        "pages/?type=shop.ProductPage&price=129.90&stock=34&order=-price,title&fields=sku",
        f"pages/?type=shop.ProductPage&category={product.category_id}&tags=asfalto",
        f"pages/?order=random&site={site.hostname}:{site.port}",
        "images/?width=1&order=-width,title&fields=*",
        "documents/?order=title",
        "products/?offset=2147483647&limit=0",
        f"pages/{product.pk}/?fields=*&rich_text_format=markdown",
    ]:
        response = client.get(f"{API}/{url}")
        assert response.status_code == 200, (url, response.content[:300])
    data = client.get(f"{API}/pages/?type=shop.ProductPage&price=129.90&fields=sku").json()
    assert "CR-RUN-001" in {item["sku"] for item in data["items"]}


def test_the_error_body_names_the_parameter(client):
    body = assert_json_error(client.get(f"{API}/pages/?limit=5&offset={HUGE}"), 400)
    assert body["message"] == "offset cannot be higher than 2147483647"
    assert body["details"] == [{"loc": ["query", "offset"], "msg": body["message"]}]
    body = assert_json_error(client.get(f"{API}/pages/?first_published_at=%22"), 400)
    assert body["details"][0]["loc"] == ["query", "first_published_at"]
    assert "not a valid value for first_published_at" in body["message"]  # in English
    body = assert_json_error(client.get(f"{API}/pages/?type=shop.ProductPage,"), 400)
    assert body["message"] == "type doesn't exist"


def test_every_api_error_has_the_projects_error_body(client, settings):
    assert client.post(f"{API}/pages/").json()["error"] == "method_not_allowed"
    assert client.get(f"{API}/nothing/").json()["error"] == "not_found"
    assert client.get(f"{API}/pages/?bogus=1").json() == {
        "error": "bad_request",
        "message": "query parameter is not an operation or a recognised field: bogus",
    }
    settings.REST_FRAMEWORK = {"DEFAULT_THROTTLE_RATES": {"api": "1/minute"}}
    client.get(f"{API}/pages/?limit=1")
    throttled = client.get(f"{API}/pages/?limit=1")
    assert throttled.status_code == 429 and throttled.json()["error"] == "rate_limited"


def test_the_openapi_document_lists_every_endpoint_and_parameter(client):
    from cms.shop.api import api_router

    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.")

    def documented(path: str) -> set[str]:
        return {parameter["name"] for parameter in document["paths"][path]["get"]["parameters"]}

    for name, endpoint in api_router._endpoints.items():
        assert set(endpoint.known_query_parameters) <= documented(f"/api/v2/{name}/")
        assert set(endpoint.find_query_parameters) <= documented(f"/api/v2/{name}/find/")
        assert {"id", "fields"} <= documented(f"/api/v2/{name}/{{id}}/")
    assert {"title", "first_published_at", "sku", "price"} <= documented("/api/v2/pages/")
