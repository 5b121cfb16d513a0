"""The headless API at /api/v2/: read-only, filtered like the catalogue, throttled, CORS."""

from decimal import Decimal

import pytest
from django.test import override_settings

from cms.shop.models import ProductPage

pytestmark = pytest.mark.django_db

API = "/api/v2"


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, response.content[:500]
    return response.json()


def titles(data) -> list[str]:
    return [item["title"] for item in data["items"]]


def test_endpoints_answer_json(client):
    for endpoint in ("pages", "images", "documents", "products"):
        response = client.get(f"{API}/{endpoint}/")
        assert response.status_code == 200, endpoint
        assert response["Content-Type"] == "application/json"


def test_product_listing_shows_shop_fields(client, shop):
    data = get(client, f"{API}/products/?locale=es&limit=50")
    assert data["meta"]["total_count"] == ProductPage.objects.child_of(shop).live().count()
    tempo = next(item for item in data["items"] if item["sku"] == "CR-RUN-001")
    assert tempo["title"] == "Zapatillas Tempo 3"
    assert tempo["price"] == "129.90" and tempo["currency"] == "EUR"
    assert tempo["stock"] == 34 and tempo["in_stock"] is True
    assert tempo["category"]["slug"] == "zapatillas"
    assert tempo["category"]["name"] == "Zapatillas de running"
    assert tempo["meta"]["locale"] == "es"
    assert tempo["meta"]["detail_url"].endswith(f"/api/v2/products/{tempo['id']}/")
    assert tempo["thumbnail"]["url"].endswith(".webp")
    assert tempo["thumbnail"]["width"] == 480


def test_product_detail_has_gallery_description_and_specifications(client, shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    data = get(client, f"{API}/products/{tempo.pk}/")
    assert data["sku"] == "CR-RUN-001"
    assert data["image"]["url"].endswith(".webp")
    assert len(data["gallery"]) == 2
    assert data["specifications"][0]["value"] == {"name": "Peso", "value": "245 g"}
    assert data["description"][0]["type"] == "paragraph"
    assert set(data["tags"]) == {"asfalto", "diario"}
    assert data["meta"]["parent"]["id"] == shop.pk


def test_pages_endpoint_filters_by_locale_and_type(client, shop):
    data = get(client, f"{API}/pages/?type=shop.ProductPage&locale=ja&fields=sku&limit=50")
    assert (
        data["meta"]["total_count"]
        == ProductPage.objects.filter(locale__language_code="ja").count()
    )
    assert {item["meta"]["locale"] for item in data["items"]} == {"ja"}
    assert "CR-RUN-001" in {item["sku"] for item in data["items"]}


def test_translation_of_lists_the_other_languages(client, shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    data = get(client, f"{API}/products/?translation_of={tempo.pk}")
    locales = {item["meta"]["locale"] for item in data["items"]}
    assert locales == {"en", "fr", "pt", "ar", "zh-hans", "ja", "hi"}
    assert {item["sku"] for item in data["items"]} == {"CR-RUN-001"}
    data = get(client, f"{API}/products/?translation_of={tempo.pk}&locale=fr")
    assert [item["meta"]["locale"] for item in data["items"]] == ["fr"]
    data = get(client, f"{API}/pages/?translation_of={tempo.pk}&locale=ar")
    assert data["meta"]["total_count"] == 1


def test_product_filters_match_the_catalogue_page(client, shop):
    query = "category=sensores&availability=in_stock&sort=price&min_price=50"
    api = titles(get(client, f"{API}/products/?locale=es&{query}"))
    page = client.get(f"{shop.url}?{query}").context["catalogue"]
    assert api == [product.title for product in page.products]
    assert api == [
        "Brazalete óptico Ritmo",
        "Pulsómetro de pecho Pulso H2",
        "Báscula inteligente Balance",
        "Medidor de potencia Vatio",
    ]


@pytest.mark.parametrize("sort", ["price", "-price", "name", "newest"])
def test_sorts(client, sort):
    data = get(client, f"{API}/products/?locale=es&sort={sort}&limit=50&fields=price")
    prices = [Decimal(item["price"]) for item in data["items"]]
    if sort == "price":
        assert prices == sorted(prices)
    if sort == "-price":
        assert prices == sorted(prices, reverse=True)
    if sort == "name":
        assert titles(data) == sorted(titles(data))


def test_search_with_q_or_wagtails_search_parameter(client):
    for parameter in ("q", "search"):
        data = get(client, f"{API}/products/?locale=es&{parameter}=electrocardiograma")
        assert titles(data) == ["Pulsómetro de pecho Pulso H2"]
    data = get(client, f"{API}/products/?locale=es&q=zapatillas&sort=-price&availability=in_stock")
    assert titles(data)[0] == "Zapatillas Sendero GTX"


def test_search_without_locale_covers_every_language_version(client):
    # "tempo" is also a Portuguese word ("tempo real"), so other products may match too;
    # what matters is that every language version of the Tempo 3 is found.
    data = get(client, f"{API}/products/?q=tempo&limit=50&fields=sku")
    locales = {item["meta"]["locale"] for item in data["items"] if item["sku"] == "CR-RUN-001"}
    assert locales == {"es", "en", "fr", "pt", "ar", "zh-hans", "ja", "hi"}


def test_pagination_with_limit_and_offset(client):
    first = get(client, f"{API}/products/?locale=es&sort=price&limit=5")
    second = get(client, f"{API}/products/?locale=es&sort=price&limit=5&offset=5")
    assert len(first["items"]) == len(second["items"]) == 5
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    "query",
    [
        "min_price=abc",
        "max_price=-1",
        "sort=drop",
        "category=nope",
        "availability=maybe",
        "type=home.HomePage",
        "order=price",
        "title=x",
        "translation_of=abc",
        "child_of=-1",
    ],
)
def test_bad_parameters_are_a_400_with_the_reason(client, query):
    data = get(client, f"{API}/products/?{query}", status=400)
    assert data["message"]


def test_not_found_is_a_json_404_not_a_redirect_to_a_language(client):
    assert get(client, f"{API}/products/?locale=xx", status=404)["message"]
    assert get(client, f"{API}/products/999999/", status=404)["message"]
    assert "products" in get(client, f"{API}/nothing/", status=404)["endpoints"]
    assert client.get(f"{API}/products").status_code == 301  # adds the slash


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/products/", "/pages/", "/images/", "/documents/"])
def test_the_api_is_read_only(client, shop, method, url):
    response = getattr(client, method)(f"{API}{url}", data={}, content_type="application/json")
    assert response.status_code == 405
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    response = getattr(client, method)(f"{API}/products/{tempo.pk}/")
    assert response.status_code == 405


def test_the_api_is_read_only_for_logged_in_editors_too(admin_client, shop):
    assert admin_client.post(f"{API}/pages/", data={"title": "x"}).status_code == 405


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api": "3/minute"}})
def test_requests_over_the_rate_get_429_with_retry_after(client):
    for _ in range(3):
        assert client.get(f"{API}/products/?limit=1").status_code == 200
    response = client.get(f"{API}/pages/?limit=1")  # one budget for the whole API
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    other_client = client.get(f"{API}/products/?limit=1", REMOTE_ADDR="192.0.2.7")
    assert other_client.status_code == 200


@override_settings(REST_FRAMEWORK={"DEFAULT_THROTTLE_RATES": {"api": None}})
def test_no_rate_means_no_limit(client):
    for _ in range(5):
        assert client.get(f"{API}/images/?limit=1").status_code == 200


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.croody.example"])
def test_cors_only_for_configured_origins_and_only_on_the_api(client, shop):
    allowed = client.get(f"{API}/products/?limit=1", HTTP_ORIGIN="https://app.croody.example")
    assert allowed["Access-Control-Allow-Origin"] == "https://app.croody.example"
    other = client.get(f"{API}/products/?limit=1", HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    page = client.get(shop.url, HTTP_ORIGIN="https://app.croody.example")
    assert "Access-Control-Allow-Origin" not in page
    preflight = client.options(
        f"{API}/products/",
        HTTP_ORIGIN="https://app.croody.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight.status_code == 200
    assert "POST" not in preflight["Access-Control-Allow-Methods"]


def test_no_cors_by_default(client):
    response = client.get(f"{API}/products/?limit=1", HTTP_ORIGIN="https://app.croody.example")
    assert "Access-Control-Allow-Origin" not in response
