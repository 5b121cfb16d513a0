"""The catalogue logic, shared by the catalogue page, the product API and the benchmark.

Every filter is a plain database filter on a field indexed with `index.FilterField`,
so the same chain works before a full-text search (Wagtail's database backend:
PostgreSQL full-text search on PostgreSQL, FTS5 on SQLite).
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Locale, PageManager, PageQuerySet

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
    def in_locale(self, locale: Locale | int | None = None) -> "ProductQuerySet":
        """Products in `locale` (a Locale or its id), by default the visitor's language."""
        return self.filter(locale=locale or Locale.get_active())

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

    def search_catalogue(self, query: str, sort: str = RELEVANCE) -> Any:  # search results
        """Full-text search (title, summary, description, SKU, category name).

        Sorted by relevance unless another sort is asked for. Returns Wagtail search
        results, which paginate like a queryset; no filter can follow it.
        """
        if sort in SORTS:
            return self.sorted_by(sort).search(query, operator="and", order_by_relevance=False)
        return self.order_by().search(query, operator="and", order_by_relevance=True)

    def for_listing(self) -> "ProductQuerySet":
        """What a product card shows, in the same query: the category."""
        return self.select_related("category")


class ProductPageManager(PageManager.from_queryset(ProductQuerySet)):  # type: ignore[misc]
    pass


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
