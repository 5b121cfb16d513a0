"""The shop at scale: `manage.py seed_catalogue`, and a query count that does not grow with the
catalogue (issue #20, "Scale"; bench/catalogue.py measures the CPU)."""

from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import QueryDict
from wagtail.models import Locale, Page

from cms.base.locales import forget_locales
from cms.base.sites import forget_sites
from cms.shop.forms import CatalogueFilterForm
from cms.shop.management.commands.seed_catalogue import SKU_PREFIX
from cms.shop.models import ProductCategory, ProductPage, ProductSearchTerm, reindex_products

pytestmark = pytest.mark.django_db


def seed(products: int) -> str:
    out = StringIO()
    call_command("seed_catalogue", products=products, stdout=out)
    return out.getvalue()


def generated() -> list[ProductPage]:
    return list(
        ProductPage.objects.filter(sku__startswith=SKU_PREFIX, alias_of__isnull=True).order_by(
            "sku"
        )
    )


def test_seed_tops_the_catalogue_up_with_aliases_in_every_locale(client, shop):
    demo = ProductPage.objects.child_of(shop).count()
    output = seed(30)
    assert f"{30 - demo} to add for 30" in output
    assert ProductPage.objects.child_of(shop).count() == 30
    sources = generated()
    assert len(sources) == 30 - demo
    locales = Locale.objects.count()
    for source in sources:
        versions = ProductPage.objects.filter(translation_key=source.translation_key)
        assert versions.count() == locales
        aliases = versions.exclude(pk=source.pk)
        assert set(aliases.values_list("alias_of_id", flat=True)) == {source.pk}
        assert set(aliases.values_list("sku", flat=True)) == {source.sku}
    # A valid tree: treebeard finds no problem (wrong depth, numchild, orphans…).
    assert Page.find_problems() == ([], [], [], [], [])
    # Every version is served in its language's catalogue, under its catalogue page.
    japanese = ProductPage.objects.get(sku=sources[0].sku, locale__language_code="ja")
    assert japanese.get_parent().specific.locale.language_code == "ja"
    assert client.get(japanese.url).status_code == 200
    assert client.get(f"{shop.url}?q={sources[0].sku}").content.decode().count(sources[0].title)


def test_seeded_search_terms_are_what_a_save_would_write(shop):
    seed(27)
    source = generated()[-1]
    versions = list(
        ProductPage.objects.filter(translation_key=source.translation_key)
        .select_related("category", "locale", "alias_of__locale")
        .prefetch_related("tags")
    )

    def terms() -> dict[int, set]:
        rows = ProductSearchTerm.objects.filter(product__in=versions)
        return {
            product.pk: set(rows.filter(product=product).values_list("term", "word", "weight"))
            for product in versions
        }

    seeded = terms()
    assert all(seeded.values())
    reindex_products(versions)
    assert terms() == seeded


def test_seed_again_adds_nothing_and_tops_up(shop):
    seed(28)
    pages, terms = ProductPage.objects.count(), ProductSearchTerm.objects.count()
    assert "0 to add for 28" in seed(28)
    assert (ProductPage.objects.count(), ProductSearchTerm.objects.count()) == (pages, terms)
    assert "0 to add for 20" in seed(20)  # fewer asked: nothing removed
    assert ProductPage.objects.child_of(shop).count() == 28
    seed(30)
    assert ProductPage.objects.child_of(shop).count() == 30
    assert len({p.slug for p in ProductPage.objects.child_of(shop)}) == 30
    assert Page.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize("bad", [-1, -10_000])
def test_a_negative_count_is_refused(shop, bad):
    with pytest.raises(CommandError, match="--products must be 0 or more"):
        seed(bad)
    assert not generated()


def test_help_says_what_it_does(capsys):
    with pytest.raises(SystemExit):
        call_command("seed_catalogue", "--help")
    text = capsys.readouterr().out
    assert "--products N" in text and "alias" in text and "Idempotent" in text


def count_queries(client, url: str, **headers: str) -> int:
    # The per-process Locales, Sites and renditions are read again when they expire (60 s and
    # more): loaded afresh by the warm-up, none expires between it and the counted request.
    forget_locales()
    forget_sites()
    caches["renditions"].clear()
    client.get(url, **headers)  # warm-up: renditions are made on the first view
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url, **headers)
    assert response.status_code == 200, url
    return len(queries)


def test_query_count_is_the_same_with_25_and_120_products(client, shop):
    tempo = ProductPage.objects.get(locale=shop.locale, slug="tempo-3")
    urls = {
        "catalogue": (shop.url, {}),
        "filtered": (f"{shop.url}?category=sensores&availability=in_stock&sort=price", {}),
        "page 2": (f"{shop.url}?page=2", {}),
        "search": (f"{shop.url}?q=peso", {}),
        "fragment": (f"{shop.url}?sort=-price", {"HTTP_X_REQUESTED_WITH": "fetch"}),
        "product": (tempo.url, {}),
        "API": ("/api/v2/products/?locale=es&limit=12", {}),
        "API search": ("/api/v2/products/?q=peso&limit=12", {}),
    }
    small = {name: count_queries(client, url, **h) for name, (url, h) in urls.items()}
    seed(120)
    large = {name: count_queries(client, url, **h) for name, (url, h) in urls.items()}
    assert large == small


def listing(client, url: str) -> list[str]:
    response = client.get(url, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 200, url
    return [product.sku for product in response.context["catalogue"].products]


@pytest.mark.parametrize(
    "query",
    [
        "sort=-price",
        "sort=price&availability=in_stock&max_price=200",
        "q=peso&sort=price",
        "q=peso",
    ],
)
def test_every_page_of_a_large_catalogue_lists_what_a_full_sort_gives(client, shop, query):
    """Price sorts walk the price index once matches are many (ProductQuerySet.rows): each
    page holds exactly the products a sort of every match puts there, in that order; other
    languages' products, unpublished ones and those the filters exclude stay out."""
    seed(150)  # page 1 of the whole catalogue by price is read by walking the index
    hidden = ProductPage.objects.get(locale=shop.locale, sku=f"{SKU_PREFIX}00050")
    hidden.unpublish()
    cheapest = ProductPage.objects.child_of(shop).live().order_by("price").first()
    cheapest.specific.stock = 0  # sold out: the in-stock filter must skip it on the walk
    cheapest.specific.save(update_fields=["stock"])
    params = QueryDict(query)
    form = CatalogueFilterForm(params, categories=ProductCategory.objects.all())
    expected = [
        product.sku for product in form.apply(ProductPage.objects.child_of(shop).live().public())
    ]
    assert len(expected) > 24 and hidden.sku not in expected
    pages = (len(expected) + 11) // 12
    shown = [
        sku
        for page in range(1, pages + 1)
        for sku in listing(client, f"{shop.url}?{query}&page={page}")
    ]
    assert shown == expected


@pytest.mark.parametrize("table_rows", [0, 10**9])  # the index walked / every match sorted
@pytest.mark.parametrize("sort", ["price", "-price"])
def test_both_ways_of_reading_a_page_agree(shop, sort, table_rows):
    seed(60)
    products = ProductPage.objects.catalogue(shop.locale).child_of(shop).in_stock().sorted_by(sort)
    matches, rows = products.count_and_rows()
    assert matches == products.count() and rows >= ProductPage.objects.count()
    everything = list(products.values_list("sku", flat=True))
    for start in (0, 12, matches - 5):
        page = products.rows(start, start + 12, matches, table_rows)
        assert [product.sku for product in page] == everything[start : start + 12]
