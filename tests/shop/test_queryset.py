"""ProductQuerySet: the catalogue logic the page and the API share."""

from decimal import Decimal

import pytest
from django.db import connection
from django.utils import translation
from wagtail.models import Locale
from wagtail.search.backends import get_search_backend

from cms.shop.forms import CatalogueFilterForm
from cms.shop.models import ProductCategory, ProductPage
from cms.shop.querysets import attach_card_images

pytestmark = pytest.mark.django_db


@pytest.fixture
def trio(empty_shop, category, make_product):
    cheap = make_product(empty_shop, "Barato", "5.00", stock=0, category=category)
    middle = make_product(empty_shop, "Alfa", "50.00", stock=3)
    dear = make_product(empty_shop, "Caro", "500.00", stock=10, category=category)
    return cheap, middle, dear


def titles(queryset) -> list[str]:
    return [product.title for product in queryset]


def products(index):
    return ProductPage.objects.child_of(index)


def test_catalogue_is_live_and_in_the_visitors_language(shop):
    with translation.override("es"):
        spanish = ProductPage.objects.catalogue()
        assert {p.locale.language_code for p in spanish.select_related("locale")} == {"es"}
        count = spanish.count()
    with translation.override("ja"):
        japanese = ProductPage.objects.catalogue()
        assert japanese.count() == count
        assert set(japanese.values_list("locale__language_code", flat=True)) == {"ja"}
    one = spanish.first()
    one.unpublish()
    with translation.override("es"):
        assert ProductPage.objects.catalogue().count() == count - 1


@pytest.mark.usefixtures("trio")
def test_stock_category_and_price(empty_shop):
    assert titles(products(empty_shop).in_stock().sorted_by("price")) == ["Alfa", "Caro"]
    assert titles(products(empty_shop).out_of_stock()) == ["Barato"]
    assert titles(products(empty_shop).in_category("pruebas").sorted_by("price")) == [
        "Barato",
        "Caro",
    ]
    assert titles(
        products(empty_shop).price_between(Decimal("5"), Decimal("50")).sorted_by("price")
    ) == [
        "Barato",
        "Alfa",
    ]
    assert titles(products(empty_shop).price_between(minimum=Decimal("50.01"))) == ["Caro"]
    assert titles(products(empty_shop).price_between(maximum=Decimal("4.99"))) == []


def test_category_slug_matches_every_language_version(es, category):
    french = category.copy_for_translation(Locale.objects.get(language_code="fr"))
    french.name = "Essais"
    french.save()
    assert french.slug == category.slug
    assert set(ProductCategory.objects.filter(slug="pruebas").values_list("name", flat=True)) == {
        "Pruebas",
        "Essais",
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["Barato", "Alfa", "Caro"]),
        ("-price", ["Caro", "Alfa", "Barato"]),
        ("name", ["Alfa", "Barato", "Caro"]),
        ("newest", ["Caro", "Alfa", "Barato"]),
        ("bogus", ["Caro", "Alfa", "Barato"]),
    ],
)
def test_sorting(trio, empty_shop, sort, expected):
    assert titles(products(empty_shop).sorted_by(sort)) == expected


def test_search_then_sort(trio, empty_shop, make_product):
    make_product(empty_shop, "Zapatilla roja", "80.00", summary="Para correr rápido.")
    make_product(empty_shop, "Zapatilla azul", "60.00", summary="Para correr lejos.")
    found = products(empty_shop).search_catalogue("zapatilla", "price")
    assert titles(found) == ["Zapatilla azul", "Zapatilla roja"]
    found = products(empty_shop).search_catalogue("zapatilla", "-price")
    assert titles(found) == ["Zapatilla roja", "Zapatilla azul"]
    assert set(titles(products(empty_shop).search_catalogue("lejos"))) == {"Zapatilla azul"}


def test_search_covers_title_summary_description_sku_and_category(
    empty_shop, category, make_product
):
    make_product(empty_shop, "Título Uno")
    make_product(empty_shop, "Dos", summary="Resumen con palabraresumen.")
    make_product(
        empty_shop,
        "Tres",
        description=[{"type": "paragraph", "value": "<p>Texto con palabradescripcion.</p>"}],
    )
    make_product(empty_shop, "Cuatro", category=category)
    make_product(empty_shop, "Cinco", sku="CR-ZX-9")
    queryset = products(empty_shop)
    assert titles(queryset.search_catalogue("Uno")) == ["Título Uno"]
    assert titles(queryset.search_catalogue("palabraresumen")) == ["Dos"]
    assert titles(queryset.search_catalogue("palabradescripcion")) == ["Tres"]
    assert titles(queryset.search_catalogue("Pruebas")) == ["Cuatro"]
    assert titles(queryset.search_catalogue("CR-ZX-9")) == ["Cinco"]


def test_search_backend_is_the_databases_full_text_search():
    backend = type(get_search_backend()).__name__
    expected = {"postgresql": "PostgresSearchBackend", "sqlite": "SQLiteSearchBackend"}
    assert backend == expected[connection.vendor]


def test_form_applies_filters_in_one_place(trio, empty_shop):
    form = CatalogueFilterForm(
        {"category": "pruebas", "availability": "in_stock", "sort": "price"},
        categories=ProductCategory.objects.filter(slug="pruebas"),
    )
    assert titles(form.apply(products(empty_shop))) == ["Caro"]
    form = CatalogueFilterForm({"min_price": "600", "max_price": "40"}, categories=[])
    assert form.valid_filters() == {"min_price": Decimal("40"), "max_price": Decimal("600")}
    assert titles(form.apply(products(empty_shop))) == ["Caro", "Alfa"]  # newest first


def test_bad_values_are_dropped_and_the_rest_applies(trio, empty_shop):
    form = CatalogueFilterForm(
        {"min_price": "abc", "max_price": "-3", "sort": "price", "category": "nope"},
        categories=ProductCategory.objects.filter(slug="pruebas"),
    )
    assert form.valid_filters() == {"sort": "price"}
    assert titles(form.apply(products(empty_shop))) == ["Barato", "Alfa", "Caro"]


def test_card_images_come_in_two_queries(trio, django_assert_num_queries):
    pages = list(ProductPage.objects.filter(pk__in=[p.pk for p in trio]))
    with django_assert_num_queries(2):  # the images, then their renditions
        attach_card_images(pages)
    assert all(page.main_image is not None for page in pages)
