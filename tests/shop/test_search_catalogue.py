"""Catalogue search over the demo catalogue, in every language, on SQLite and PostgreSQL.

The same table must pass on both databases: run this file with DATABASE_URL pointing at
PostgreSQL too (docs/shop.md, "Search").
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from cms.shop.models import ProductCategory, ProductPage, ProductSearchTerm

pytestmark = pytest.mark.django_db

SHOES = {"CR-RUN-001", "CR-RUN-002", "CR-RUN-003", "CR-RUN-004", "CR-RUN-005"}
SENSORS = {"CR-SEN-001", "CR-SEN-002", "CR-SEN-003", "CR-SEN-004", "CR-SEN-005"}
RECOVERY = {"CR-REC-001", "CR-REC-002", "CR-REC-003", "CR-REC-004", "CR-REC-005"}
MASSAGE = {"CR-REC-001", "CR-REC-002"}  # the roller and the massage gun

# language, query, the SKUs found (every one), the SKU ranked first (or None: a tie).
# Words come from the translated names (cms/base/demo/translations/*.json). The cadence
# sensor's text says it clips onto the shoe, and "Rodaje Suave" that it is for recovery days.
SEARCHES = [
    ("es", "zapatilla", SHOES | {"CR-SEN-002"}, None),
    ("es", "Zapatillas", SHOES | {"CR-SEN-002"}, None),
    ("es", "recuperacion", RECOVERY | {"CR-RUN-004"}, None),
    ("es", "pulsómetro", SENSORS, "CR-SEN-001"),  # the title, then the category
    ("es", "masaje", MASSAGE, None),
    ("es", "cr-run-003", {"CR-RUN-003"}, "CR-RUN-003"),
    ("en", "shoe", SHOES | {"CR-SEN-002"}, None),
    ("en", "compression", {"CR-REC-003", "CR-REC-004"}, "CR-REC-004"),
    ("fr", "chaussure", SHOES | {"CR-SEN-002"}, None),
    ("fr", "recuperation", RECOVERY | {"CR-RUN-004"}, None),
    ("fr", "etirement", {"CR-REC-005"}, "CR-REC-005"),
    ("pt", "tenis", SHOES | {"CR-SEN-002"}, None),
    ("pt", "massagem", MASSAGE, None),
    ("ar", "حذاء", SHOES | {"CR-SEN-002"}, "CR-RUN-002"),
    ("ar", "تدليك", MASSAGE, "CR-REC-002"),
    ("ar", "التدليك", MASSAGE, "CR-REC-002"),
    ("hi", "शूज़", SHOES, None),
    ("hi", "शूज", SHOES, None),  # without the nukta
    ("hi", "मसाज", MASSAGE, "CR-REC-002"),
    ("zh-hans", "跑鞋", SHOES, None),
    ("zh-hans", "心率", SENSORS, "CR-SEN-003"),  # two names, and the category
    ("zh-hans", "按摩", {"CR-REC-001", "CR-REC-002", "CR-REC-003"}, "CR-REC-001"),
    ("ja", "シューズ", SHOES | {"CR-SEN-002"}, "CR-RUN-001"),
    ("ja", "心拍", SENSORS, "CR-SEN-001"),
    ("ja", "マッサージ", MASSAGE, None),
    ("ja", "gps", {"CR-BOT-004"}, "CR-BOT-004"),
]


def skus(results) -> list[str]:
    return [product.sku for product in results]


def catalogue(language: str):
    return ProductPage.objects.catalogue(Locale.objects.get(language_code=language))


@pytest.mark.parametrize(("language", "query", "expected", "first"), SEARCHES)
def test_search_in_every_language(shop, language, query, expected, first):
    found = skus(catalogue(language).search_catalogue(query))
    assert set(found) == expected, connection.vendor
    assert len(found) == len(set(found))  # each product once
    if first:
        assert found[0] == first


@pytest.mark.parametrize(("language", "query", "expected", "first"), SEARCHES[::3])
def test_the_page_and_the_api_find_the_same(client, shop, language, query, expected, first):
    page = shop.get_translation(Locale.objects.get(language_code=language))
    response = client.get(page.url, {"q": query})
    assert response.status_code == 200
    on_page = skus(response.context["catalogue"].products)
    api = client.get(
        "/api/v2/products/", {"locale": language, "search": query, "fields": "sku", "limit": 50}
    )
    assert api.status_code == 200
    in_api = [item["sku"] for item in api.json()["items"]]
    assert set(in_api) == expected
    assert in_api[: len(on_page)] == on_page  # the same relevance order


def test_the_api_without_a_locale_searches_each_in_its_language(client, shop):
    """Spanish words find Spanish products, Japanese ones Japanese products."""
    data = client.get("/api/v2/products/", {"search": "zapatilla", "fields": "sku,locale"}).json()
    assert {(item["meta"]["locale"], item["sku"]) for item in data["items"]} == {
        ("es", sku) for sku in SHOES | {"CR-SEN-002"}
    }
    data = client.get("/api/v2/products/", {"search": "心拍", "fields": "sku"}).json()
    assert {item["meta"]["locale"] for item in data["items"]} == {"ja"}


def test_filters_and_sorts_combine_with_search(client, shop):
    response = client.get(shop.url, {"q": "zapatilla", "availability": "in_stock", "sort": "price"})
    found = response.context["catalogue"].products
    assert all(product.stock > 0 for product in found)
    prices = [product.price for product in found]
    assert prices == sorted(prices) and len(found) == 4  # Pista Élite and Paso: sold out
    found = skus(catalogue("es").in_category("sensores").search_catalogue("zapatilla"))
    assert found == ["CR-SEN-002"]
    expensive = catalogue("es").search_catalogue("zapatilla", "-price").filter(price__gte=150)
    assert skus(expensive) == ["CR-RUN-003", "CR-RUN-002"]  # filters after a search too


@pytest.mark.parametrize(
    "query",
    [
        "\x00",
        "x" * 10_000,
        "鞋" * 10_000,
        "!!! ??? ...",
        '"',
        "' OR 1=1 --",
        "AND OR NOT",
        "NEAR(a b)",
        "*",
        "%_%",
        "🙂",
        "de la para",
    ],
)
def test_hostile_queries_find_nothing_and_break_nothing(client, shop, query):
    assert skus(catalogue("es").search_catalogue(query)) == []
    response = client.get(shop.url, {"q": query})
    assert response.status_code == 200
    found = response.context["catalogue"]
    # Punctuation only is no search (the whole catalogue); past 100 characters, ignored.
    assert not found.searching or found.products == []
    api = client.get("/api/v2/products/", {"locale": "es", "search": query})
    assert api.status_code in (200, 400)  # 400: NUL byte or past 100 characters
    if api.status_code == 200 and any(char.isalnum() for char in query):
        assert api.json()["items"] == []


def test_search_takes_the_same_queries_whatever_the_catalogue_size(
    empty_shop, make_product, category
):
    def queries() -> int:
        results = ProductPage.objects.child_of(empty_shop).search_catalogue("producto rojo")
        with CaptureQueriesContext(connection) as captured:
            assert results.count() > 0
            list(results[:12])
        return len(captured)

    for number in range(5):
        make_product(empty_shop, f"Producto rojo {number}", category=category)
    few = queries()
    for number in range(5, 40):
        make_product(empty_shop, f"Producto rojo {number}", category=category)
    assert queries() == few == 2  # the count and the page


def test_a_typo_offers_a_suggestion_in_the_visitors_language(client, shop):
    response = client.get(shop.url, {"q": "zapatilas", "sort": "price"})
    html = response.content.decode()
    assert response.context["catalogue"].count == 0
    assert "¿Quisiste decir" in html and ">zapatillas</a>?" in html  # the most used form
    suggestion = response.context["catalogue"].suggestion_url
    assert "q=zapatillas" in suggestion and "sort=price" in suggestion
    followed = client.get(suggestion).context["catalogue"]
    assert followed.count == 6
    arabic = shop.get_translation(Locale.objects.get(language_code="ar"))
    html = client.get(arabic.url, {"q": "تدلك"}).content.decode()
    assert "هل تقصد" in html and "التدليك" in html
    # Nothing close: no suggestion, the usual empty state.
    catalogue_ = client.get(shop.url, {"q": "xyzzy"}).context["catalogue"]
    assert catalogue_.suggestion == ""


def test_publishing_an_edit_reindexes_and_a_draft_does_not(shop):
    product = ProductPage.objects.get(locale=shop.locale, sku="CR-BOT-002")
    product.summary = "Con palabraborrador."
    product.save_revision()  # a draft: the live text stays searchable as it is
    assert skus(catalogue("es").search_catalogue("palabraborrador")) == []
    product.save_revision().publish()
    assert skus(catalogue("es").search_catalogue("palabraborrador")) == ["CR-BOT-002"]
    product.tags.add("palabraetiqueta")
    product.save_revision().publish()
    assert skus(catalogue("es").search_catalogue("palabraetiqueta")) == ["CR-BOT-002"]


def test_renaming_a_category_reindexes_its_products(shop):
    category = ProductCategory.objects.get(locale=shop.locale, slug="robots")
    category.name = "Repuestos galácticos"
    category.save()
    assert len(skus(catalogue("es").search_catalogue("galacticos"))) == 5


def test_an_alias_is_found_by_its_text_and_its_languages_words(shop, make_product):
    product = make_product(shop, "Zapatillas Quokka", sku="CR-TEST-QUOKKA")
    japanese = Locale.objects.get(language_code="ja")
    alias = ProductPage.objects.filter(alias_of=product, locale=japanese).first()
    if alias is None:  # the tree synchronisation may not be on in tests
        parent = shop.get_translation(japanese)
        alias = product.create_alias(parent=parent, update_locale=japanese)
    assert skus(catalogue("ja").search_catalogue("zapatilla")) == ["CR-TEST-QUOKKA"]  # es stem
    assert skus(catalogue("ja").search_catalogue("zapatillas quokka")) == ["CR-TEST-QUOKKA"]


def test_rebuild_command_restores_the_index(shop):
    from django.core.management import call_command

    ProductSearchTerm.objects.all().delete()
    assert skus(catalogue("ja").search_catalogue("シューズ")) == []
    call_command("rebuild_product_search", verbosity=0)
    assert set(skus(catalogue("ja").search_catalogue("シューズ"))) == SHOES | {"CR-SEN-002"}
