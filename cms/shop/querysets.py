"""The catalogue logic, shared by the catalogue page, the product API and the benchmark.

Every filter, the sorts and the search (`search_catalogue`, over the term table that
`cms.shop.search` fills) are plain database conditions, so they combine in any order and the
same SQL runs on PostgreSQL and SQLite. Wagtail's search index is kept for the admin's search.
"""

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections, models
from django.db.models.functions import Coalesce
from django.db.models.sql.where import WhereNode
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Locale, PageManager, PageQuerySet

from cms.base.locales import active_locale
from cms.shop.search import query_terms, sku_term, suggest

if TYPE_CHECKING:  # the models import this module
    from cms.shop.models import ProductCategory

# Sort keys accepted in URLs and the API -> database ordering (stable: id breaks ties).
SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-first_published_at", "-id"),
    "price": ("price", "id"),
    "-price": ("-price", "-id"),
    "name": ("title", "id"),
}
RELEVANCE = "relevance"
# Sorts by the product table's own columns, which an index of that table can read in order
# (migration shop.0005), with the product's primary key for Wagtail's `id` (the same value).
INDEX_WALKS: dict[tuple[str, ...], tuple[str, ...]] = {
    SORTS["price"]: ("price", "pk"),
    SORTS["-price"]: ("-price", "-pk"),
}

# Renditions the catalogue cards use, prefetched with the images in one query. They must
# be spelled as {% picture %} spells them (format first): Wagtail takes prefetched
# renditions as the complete list, and would otherwise regenerate them on every view.
CARD_RENDITIONS = (
    "format-webp|fill-400x300",
    "format-jpeg|fill-400x300",
    "format-webp|fill-800x600",
    "format-jpeg|fill-800x600",
)


class ProductCategoryQuerySet(models.QuerySet["ProductCategory"]):
    def for_active_locale(self) -> list["ProductCategory"]:
        """Every category once, in the visitor's language where it is translated.

        Categories without a translation yet show in the default language (Spanish),
        like the menus do.
        """
        active = get_supported_content_language_variant(get_language())
        default = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        rows = self.filter(locale__language_code__in={active, default}).select_related("locale")
        chosen: dict[Any, ProductCategory] = {}  # by translation key
        for category in rows.order_by("name"):
            if category.locale.language_code == active or category.translation_key not in chosen:
                chosen[category.translation_key] = category
        return sorted(chosen.values(), key=lambda category: category.name.casefold())


class ProductQuerySet(PageQuerySet):
    def descendant_of_q(self, other: Any, inclusive: bool = False) -> models.Q:
        """Wagtail's condition, as a range of the indexed path rather than LIKE 'path%':
        SQLite's LIKE ignores case, so it cannot use the index and is evaluated on every row
        (every product of every catalogue, in the API). Paths are made of Page.alphabet, so
        a descendant's path lies between the page's own and that padded with its last
        letter."""
        tail = other.alphabet[-1] * (other._meta.get_field("path").max_length - len(other.path))
        condition = models.Q(path__gte=other.path, path__lte=other.path + tail)
        condition &= models.Q(depth__gte=other.depth)
        if not inclusive:
            condition &= ~models.Q(pk=other.pk)
        return condition

    def child_of_q(self, other: Any) -> models.Q:
        """Children only: an exact depth and paths one step longer, and no `depth >=`
        beside it (SQLite would then take the depth as a range and sort every product)."""
        first, last = other.alphabet[0], other.alphabet[-1]
        return models.Q(
            path__gte=other.path + first * other.steplen,
            path__lte=other.path + last * other.steplen,
            depth=other.depth + 1,
        )

    def in_locale(self, locale: Locale | int | None = None) -> "ProductQuerySet":
        """Products in `locale` (a Locale or its id), by default the visitor's language."""
        return self.filter(locale=locale or active_locale())

    def catalogue(self, locale: Locale | int | None = None) -> "ProductQuerySet":
        """What a visitor may see: live, public, in their language."""
        return self.live().public().in_locale(locale)

    def in_stock(self) -> "ProductQuerySet":
        return self.filter(stock__gt=0)

    def out_of_stock(self) -> "ProductQuerySet":
        return self.filter(stock=0)

    def in_category(self, slug: str) -> "ProductQuerySet":
        """Products in the category with this slug (the slug is the same in every language)."""
        category_model = self.model._meta.get_field("category").related_model
        return self.filter(category_id__in=category_model.objects.filter(slug=slug).values("pk"))

    def price_between(
        self, minimum: Decimal | None = None, maximum: Decimal | None = None
    ) -> "ProductQuerySet":
        queryset = self
        if minimum is not None:
            queryset = queryset.filter(price__gte=minimum)
        if maximum is not None:
            queryset = queryset.filter(price__lte=maximum)
        return queryset

    def sorted_by(self, sort: str) -> "ProductQuerySet":
        """Order by one of SORTS; an unknown key means newest first."""
        return self.order_by(*SORTS.get(sort, SORTS["newest"]))

    def search_catalogue(self, query: str, sort: str = RELEVANCE) -> "ProductQuerySet":
        """Products whose text contains every term of `query` (cms.shop.search).

        The query is analysed for each content language and each product must match the
        terms of its own locale's language (or, for an alias, its source page's), so the
        API's listing of every locale searches each in its language. Best match first
        (summed field weights: title over summary over category and tags over description;
        an exact SKU first of all) unless another sort is asked for. A QuerySet: filters
        may come before or after, in one SQL query.
        """
        terms_model = self.model._meta.get_field("search_terms").related_model
        page_model = self.model._meta.get_field("alias_of").related_model
        groups: dict[tuple[str, ...], list[str]] = {}  # the same terms: one condition
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
            groups.setdefault(tuple(query_terms(query, code)), []).append(code)
        condition = models.Q()
        ranked = {sku_term(query)}
        for terms, codes in groups.items():
            if not terms:  # only stop words or punctuation in this language
                continue
            # An alias shows its source page's text, indexed in the source's language too.
            # Subqueries, not joins: the locales are read once, and the source page only
            # for a product whose own language is not in the group.
            locales = Locale.objects.filter(language_code__in=codes).values("pk")
            group = models.Q(locale_id__in=locales) | models.Q(
                models.Exists(
                    page_model.objects.filter(pk=models.OuterRef("alias_of_id"), locale__in=locales)
                )
            )
            for term in terms:
                # EXISTS, not IN: a lookup per candidate in the (term, product) index rather
                # than every product with the term in every language gathered first.
                group &= models.Q(
                    models.Exists(
                        terms_model.objects.filter(term=term, product=models.OuterRef("pk"))
                    )
                )
            condition |= group
            ranked.update(terms)
        if not condition:
            return self.none()
        # SUM over one product's rows: no GROUP BY needed (nor the sort it may cost).
        total = models.Func("weight", function="SUM", output_field=models.IntegerField())
        rank = terms_model.objects.filter(product=models.OuterRef("pk"), term__in=ranked).values(
            total=total
        )
        results = self.filter(condition).annotate(search_rank=Coalesce(models.Subquery(rank), 0))
        if sort in SORTS:
            return results.sorted_by(sort)
        return results.order_by("-search_rank", *SORTS["newest"])

    def search_suggestion(self, query: str, language_code: str) -> str:
        """A spelling of `query` with the catalogue's own words, that finds products
        ("zapatilas" -> "zapatillas"); "" when there is none. Two queries."""
        terms_model = self.model._meta.get_field("search_terms").related_model
        # term -> its most frequent written form (the last one in this order), the same
        # on every database.
        vocabulary = dict(
            terms_model.objects.filter(product__in=self.values("pk"))
            .values_list("term", "word")
            .annotate(uses=models.Count("pk"))
            .order_by("term", "uses", "word")
            .values_list("term", "word")
        )
        suggestion = suggest(query, language_code, vocabulary)
        if suggestion and self.search_catalogue(suggestion).exists():
            return suggestion
        return ""

    def count_and_rows(self) -> tuple[int, int]:
        """How many products match, and about how many rows the product table has (its
        highest id, read from the primary key's index), in one query: what `rows` needs."""
        rows = self.model._base_manager.order_by("-pk").values("pk")[:1]
        found = self.aggregate(matches=models.Count("pk"), rows=models.Max(models.Subquery(rows)))
        return found["matches"], found["rows"] or 0

    def rows(self, start: int, stop: int, matches: int, table_rows: int) -> "ProductQuerySet":
        """This sorted queryset's products [start:stop], of `matches`, in one query.

        A sort that no index serves reads every match: SQLite then builds each one's whole
        row (the StreamFields' JSON included) only to keep `stop` of them. So the page's ids
        are chosen first, by a query that reads only what the sort needs, and their rows
        loaded after. Sorted by price, that query would still read and sort every match, as
        neither SQLite nor PostgreSQL lets `LIMIT` choose the join order (both start from the
        language's pages): it walks the product table's price index instead, checking each
        product's other conditions by its primary key. That reads about `stop * table_rows
        / matches` rows (every language's products share the index), fewer than the matches
        themselves once `stop * table_rows <= matches²`; a search for a rare word, a far page
        or a small catalogue is sorted. Newest first is read in order from an index already.
        SQLite only: PostgreSQL's planner costs the LIMIT and reads the 12 rows itself.
        """
        order = tuple(self.query.order_by)
        if order == SORTS["newest"] or matches <= stop or connections[self.db].vendor != "sqlite":
            # PostgreSQL weighs LIMIT and walks shop.0005's index itself (0.7 ms at 10,000
            # products); given the walk below, it chose a parallel scan (38 ms).
            return self[start:stop]
        walk = INDEX_WALKS.get(order)
        if walk is not None and stop * table_rows <= matches * matches:
            ids = self.model._base_manager.filter(
                models.Exists(self.filter(pk=models.OuterRef("pk")))
            ).order_by(*walk)
        else:
            ids = self
        # Those rows alone, with this queryset's columns, annotations and order: with its
        # conditions repeated, the database would start from the language's pages again.
        # (Its joins are to one row each, the page and the category: none multiplies rows.)
        listed = self._chain()
        listed.query.where = WhereNode()
        return listed.filter(pk__in=ids.values("pk")[start:stop])

    def for_listing(self) -> "ProductQuerySet":
        """What a product card shows, in the same query: the category."""
        return self.select_related("category")


class ProductPageManager(PageManager.from_queryset(ProductQuerySet)):  # type: ignore[misc]
    pass


class CataloguePaginator(Paginator):
    """A Paginator over a sorted ProductQuerySet that reads each page as
    `ProductQuerySet.rows` chooses; the count, with the table size it needs, in one query."""

    object_list: ProductQuerySet

    table_rows = 0

    def __init__(
        self,
        object_list: ProductQuerySet,
        per_page: int,
        *,
        remember: Callable[[Callable[[], tuple[int, int]]], tuple[int, int]] | None = None,
    ) -> None:
        """`remember(work_out)`: the count from a cache, or work_out()'s (default: no cache)."""
        super().__init__(object_list, per_page)
        self.remember = remember or (lambda work_out: work_out())

    @cached_property
    def count(self) -> int:
        matches, self.table_rows = self.remember(self._count_and_table_rows)
        return matches

    def _count_and_table_rows(self) -> tuple[int, int]:
        if tuple(self.object_list.query.order_by) not in INDEX_WALKS:
            return self.object_list.count(), 0  # the table's size (0.5 ms at 10,000) unused
        return self.object_list.count_and_rows()

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = self.object_list.rows(bottom, top, self.count, self.table_rows)
        return Page(rows, number, self)


def attach_card_images(
    products: Iterable[Any], renditions: Iterable[str] = CARD_RENDITIONS
) -> None:
    """Give each product its first gallery image, fetched for all of them in two queries.

    Reading the image id from the stored StreamField JSON avoids one query per product;
    the images come with their prefetched renditions, so `{% picture %}` needs no more.
    """
    products = list(products)
    wanted = {product.pk: product.main_image_id() for product in products}
    ids = {image_id for image_id in wanted.values() if image_id}
    images = {}
    if ids:
        images = {
            image.pk: image
            for image in get_image_model()
            .objects.filter(pk__in=ids)
            .prefetch_renditions(*renditions)
        }
    for product in products:
        # Fills ProductPage.main_image (a cached_property) without touching the stream.
        product.__dict__["main_image"] = images.get(wanted[product.pk])
