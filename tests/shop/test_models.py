"""The shop's content model: page rules, the synchronised SKU, demo content, the admin."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale
from wagtail_localize.fields import SynchronizedField, get_translatable_fields

from cms.home.models import HomePage, StandardPage
from cms.shop.demo import CATEGORIES, PRODUCTS, build_shop
from cms.shop.models import ProductCategory, ProductIndexPage, ProductPage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (ProductIndexPage, HomePage, True),
        (ProductPage, ProductIndexPage, True),
        (ProductPage, HomePage, False),
        (ProductIndexPage, StandardPage, False),
        (ProductIndexPage, ProductIndexPage, False),
        (StandardPage, ProductIndexPage, False),
    ],
)
def test_page_creation_rules(child, parent, allowed):
    assert (child in parent.allowed_subpage_models()) is allowed
    assert (parent in child.allowed_parent_page_models()) is allowed


def test_one_catalogue_per_home(shop):
    assert not ProductIndexPage.can_create_at(shop.get_parent().specific)


def test_sku_and_category_slug_are_shared_by_translations():
    assert SynchronizedField("sku") in get_translatable_fields(ProductPage)
    assert SynchronizedField("slug") in get_translatable_fields(ProductCategory)
    assert not ProductPage._meta.get_field("sku").unique


def test_sku_is_unique_within_a_language_only(shop, make_product):
    make_product(shop, "Original", sku="CR-DUP-1")
    other = make_product(shop, "Otro")
    other.clean()
    other.sku = "CR-DUP-1"
    with pytest.raises(ValidationError) as error:
        other.clean()
    assert "sku" in error.value.message_dict
    # Every language version of a product shares its SKU: no clash across languages.
    french = ProductPage.objects.get(locale__language_code="fr", sku="CR-RUN-001")
    french.clean()


def test_translations_of_products_keep_the_sku(shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    versions = tempo.get_translations(inclusive=True)
    assert versions.count() == Locale.objects.count()
    assert set(versions.values_list("sku", flat=True)) == {"CR-RUN-001"}


def test_demo_shop_has_two_dozen_products_in_four_categories_with_images(es):
    products = ProductPage.objects.live().filter(locale=es).select_related("category")
    assert products.count() >= 24
    assert len({product.category.slug for product in products}) >= 4
    assert ProductCategory.objects.filter(locale=es).count() == len(CATEGORIES) >= 4
    assert all(product.main_image is not None for product in products)
    assert products.filter(stock=0).exists() and products.filter(stock__gt=0).exists()
    assert {product.currency for product in products} == {"EUR"}
    assert any(len(product.gallery) > 1 for product in products)
    assert all(product.related_links.exists() for product in products)


def test_demo_shop_is_built_once(es):
    home = HomePage.objects.get(locale=es)
    before = ProductPage.objects.count(), ProductCategory.objects.count()
    objects = build_shop(home, es)
    assert (ProductPage.objects.count(), ProductCategory.objects.count()) == before
    # Categories first, then the catalogue, then the products: the translation order.
    kinds = [type(obj) for obj in objects]
    assert kinds == [ProductCategory] * len(CATEGORIES) + [ProductIndexPage] + [ProductPage] * len(
        PRODUCTS
    )


def test_products_on_alias_pages_point_at_a_category(shop):
    arabic = ProductPage.objects.get(
        locale__language_code="ar",
        translation_key=ProductPage.objects.get(
            locale=shop.locale, slug="pulso-h2"
        ).translation_key,
    )
    assert arabic.category.slug == "sensores"


@pytest.mark.parametrize("model", [ProductIndexPage, ProductPage])
def test_editors_can_open_shop_pages_and_previews(admin_client, es, model):
    page = model.objects.filter(locale=es).first()
    assert admin_client.get(f"/admin/pages/{page.pk}/edit/").status_code == 200
    assert admin_client.get(f"/admin/pages/{page.pk}/edit/preview/").status_code == 200


def test_editors_can_list_and_edit_categories(admin_client, es):
    listing = admin_client.get("/admin/snippets/shop/productcategory/")
    assert listing.status_code == 200
    assert "Sensores y pulsómetros" in listing.content.decode()
    category = ProductCategory.objects.get(locale=es, slug="sensores")
    edit = admin_client.get(f"/admin/snippets/shop/productcategory/edit/{category.pk}/")
    assert edit.status_code == 200


def test_editors_can_add_a_product(admin_client, shop, category):
    response = admin_client.get(f"/admin/pages/add/shop/productpage/{shop.pk}/")
    assert response.status_code == 200


def test_renaming_a_category_updates_product_search(shop, category, make_product):
    make_product(shop, "Producto de la categoría", category=category)
    category.name = "Zarzaparrilla"
    category.save()
    results = ProductPage.objects.filter(locale=shop.locale).search("zarzaparrilla")
    assert [product.title for product in results] == ["Producto de la categoría"]
