"""What the catalogue and product templates show, built with a constant number of queries.

The page models hand in what they own (their products, categories and URL), so this
module never imports `cms.shop.models`: the dependency runs models -> presenters.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import get_language
from wagtail.coreutils import get_supported_content_language_variant

from cms.base.site_url import absolute_url
from cms.pagecache.fragments import cached_value
from cms.shop.forms import CatalogueFilterForm
from cms.shop.querysets import CataloguePaginator, ProductQuerySet

if TYPE_CHECKING:  # for the annotations only: at run time the models import this module
    from cms.shop.models import ProductPage

PAGE_PARAM = "page"
JSON_LD_RENDITION = "max-1200x1200|format-jpeg"


@dataclass(frozen=True)
class PageLink:
    number: int | None  # None: an ellipsis
    url: str
    current: bool


class Catalogue:
    """One catalogue request: the filters from the URL, the matching products, the pages.

    Values it cannot use (`?min_price=abc`, a negative price, an unknown category or
    sort) are dropped and reported; an out-of-range page shows the nearest page.
    """

    def __init__(
        self,
        request: HttpRequest,
        *,
        base_url: str,
        categories: Iterable[Any],
        products: ProductQuerySet,
        per_page: int,
    ) -> None:
        """`products` is every product the catalogue lists, before the URL's filters."""
        self.request = request
        self.base_url = base_url
        categories = list(categories)
        submitted = CatalogueFilterForm(request.GET, categories=categories)
        self.filters = submitted.valid_filters()
        self.ignored = sorted(name for name in submitted.errors if request.GET.get(name))
        # The form shown holds only the values in use, so a bad value does not linger.
        self.form = CatalogueFilterForm(
            CatalogueFilterForm.as_query(self.filters), categories=categories
        )
        self.form.is_valid()
        self.sort = submitted.effective_sort(self.filters)
        self.searching = bool(self.filters.get("q"))

        results = submitted.apply(products, self.filters)
        # The count grows with the catalogue (about 8 ms of a request at 10,000 products):
        # kept per filter set until the catalogue's purge tokens change, as its cards are.
        self.paginator = CataloguePaginator(
            results,
            per_page,
            remember=partial(
                cached_value,
                request,
                "catalogue-count",
                sorted(CatalogueFilterForm.as_query(self.filters).items()),
            ),
        )
        self.page = self.paginator.get_page(request.GET.get(PAGE_PARAM))
        self.products = list(self.page.object_list)
        self.count = self.paginator.count
        # "Did you mean …?" when a search finds nothing (two more queries, only then).
        self.suggestion = ""
        if self.searching and not self.count:
            self.suggestion = products.search_suggestion(
                self.filters["q"], get_supported_content_language_variant(get_language())
            )

    @property
    def has_filters(self) -> bool:
        return any(name != "sort" for name in self.filters)

    @property
    def active_filter_count(self) -> int:
        """Filters narrowing the results besides the search box (shown on the "Filters"
        button of small screens); a price range counts once."""
        narrowing = {"price" if name.endswith("_price") else name for name in self.filters}
        return len(narrowing - {"q", "sort"})

    @property
    def clear_url(self) -> str:
        return self.base_url

    @property
    def suggestion_url(self) -> str:
        """The same filters, searching the suggestion instead, from the first page."""
        query = {**CatalogueFilterForm.as_query(self.filters), "q": self.suggestion}
        return f"{self.base_url}?{urlencode(query)}"

    def url(self, page_number: int | None = None) -> str:
        query = CatalogueFilterForm.as_query(self.filters)
        if page_number and page_number > 1:
            query[PAGE_PARAM] = str(page_number)
        return f"{self.base_url}?{urlencode(query)}" if query else self.base_url

    @property
    def page_links(self) -> list[PageLink]:
        links = []
        for number in self.paginator.get_elided_page_range(
            self.page.number, on_each_side=1, on_ends=1
        ):
            if isinstance(number, int):
                links.append(PageLink(number, self.url(number), number == self.page.number))
            else:  # Paginator.ELLIPSIS
                links.append(PageLink(None, "", False))
        return links

    @property
    def previous_url(self) -> str:
        return self.url(self.page.previous_page_number()) if self.page.has_previous() else ""

    @property
    def next_url(self) -> str:
        return self.url(self.page.next_page_number()) if self.page.has_next() else ""


class ProductDetails:
    """The product page's gallery, related products and JSON-LD, worked out when the
    template first asks: a page whose body comes from the fragment cache needs none.

    `related` gives the related products (`ProductPage.get_related_products`).
    """

    def __init__(
        self,
        request: HttpRequest,
        product: "ProductPage",
        related: Callable[[], list["ProductPage"]],
    ) -> None:
        self.request = request
        self.product = product
        self._related = related

    @cached_property
    def gallery(self) -> list[Any]:
        return [
            item.value
            for item in self.product.gallery
            if item.block_type == "image" and item.value["image"]
        ]

    @cached_property
    def related_products(self) -> list["ProductPage"]:
        return self._related()

    @cached_property
    def json_ld(self) -> dict[str, Any]:
        images = [item["image"] for item in self.gallery]
        return product_json_ld(self.request, self.product, images)


def product_json_ld(
    request: HttpRequest, product: "ProductPage", images: list[Any]
) -> dict[str, Any]:
    """schema.org Product data for search engines."""
    url = product.get_full_url(request) or ""
    availability = "InStock" if product.in_stock else "OutOfStock"
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "sku": product.sku,
        "url": url,
        "brand": {"@type": "Brand", "name": "Croody"},
        "offers": {
            "@type": "Offer",
            "price": f"{product.price:.2f}",
            "priceCurrency": product.currency,
            "availability": f"https://schema.org/{availability}",
            "url": url,
        },
    }
    description = product.summary or product.search_description
    if description:
        data["description"] = description
    if product.category_id and product.category:
        data["category"] = product.category.name
    if images:
        data["image"] = [
            absolute_url(image.get_rendition(JSON_LD_RENDITION).url, product.get_site())
            for image in images
        ]
    return data
