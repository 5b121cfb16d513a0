"""The shop: a catalogue page per language, its products and their categories.

Products are pages (translated with wagtail-localize like every other page); the
catalogue logic (live, visitor's language, stock, category, price, ordering, search)
lives in `ProductQuerySet`, shared by the catalogue page and the headless API. What the
pages show is built in `cms.shop.presenters`, from the querysets these models hand it.
"""

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models, transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.images.api.fields import ImageRenditionField
from wagtail.models import Orderable, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from cms.base.blocks import ImageBlock, body_blocks
from cms.base.models import BasePage
from cms.shop.forms import CatalogueFilterForm
from cms.shop.presenters import PAGE_PARAM, Catalogue, ProductDetails
from cms.shop.querysets import ProductCategoryQuerySet, ProductPageManager, ProductQuerySet
from cms.shop.search import MAX_TERM_LENGTH, weighted_terms
from cms.shop.serializers import CategoryField

LOW_STOCK = 5  # at or below this, the product shows "only N left"

CURRENCIES = [("EUR", "EUR (€)"), ("USD", "USD ($)"), ("GBP", "GBP (£)")]
# What the catalogue search reads from a product (ProductPage.search_texts).
SEARCHED_FIELDS = frozenset(
    {"title", "summary", "description", "specifications", "sku", "category", "tags"}
)


# ProductPage derives from Wagtail's (untyped) Page, so the plugin cannot see `products`.
class ProductCategory(TranslatableMixin, models.Model):  # type: ignore[django-manager-missing]
    """A shelf of the shop (running shoes, sensors…); one per language, like the menus.

    The slug is shared by every translation (a synchronised field), so `?category=<slug>`
    means the same category in every language and in the API.
    """

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        allow_unicode=False,
        help_text=_("Used in catalogue URLs, e.g. ?category=running. Same in every language."),
    )
    description = models.TextField(_("description"), blank=True)

    objects = ProductCategoryQuerySet.as_manager()

    override_translatable_fields = [SynchronizedField("slug", overridable=False)]

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="shop_category_slug_locale")
        ]

    def __str__(self) -> str:
        return self.name


class SpecificationBlock(blocks.StructBlock):
    name = blocks.CharBlock(
        label=_("Characteristic"), max_length=60, help_text=_("What is measured, e.g. Weight.")
    )
    value = blocks.CharBlock(
        label=_("Figure or detail"), max_length=120, help_text=_("With its unit, e.g. 245 g.")
    )

    class Meta:
        icon = "list-ul"
        label = _("Specification")


class ProductIndexPage(BasePage):
    """The catalogue: filters, sort, search and pagination over its product pages."""

    intro = models.TextField(_("introduction"), blank=True)
    products_per_page = models.PositiveSmallIntegerField(
        _("products per page"),
        default=12,
        validators=[MinValueValidator(1)],
    )

    content_panels = [
        *BasePage.content_panels,
        FieldPanel("intro"),
        FieldPanel("products_per_page"),
    ]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["shop.ProductPage"]
    max_count_per_parent = 1
    # Kept by the language selector (cms.base.language_switch): category slugs are the same
    # in every language and a search stays as typed.
    language_switch_params = (*CatalogueFilterForm.base_fields, PAGE_PARAM)

    class Meta:
        verbose_name = _("product catalogue")

    def get_products(self) -> ProductQuerySet:
        """What this catalogue lists to a visitor, before the URL's filters (with categories)."""
        return ProductPage.objects.catalogue(self.locale_id).child_of(self).for_listing()

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = Catalogue(
            request,
            base_url=self.get_url(request) or "",
            categories=ProductCategory.objects.for_active_locale(),
            products=self.get_products(),
            per_page=self.products_per_page,
        )
        return context

    def get_template(self, request: HttpRequest, *args: Any, **kwargs: Any) -> str:
        # search.js fetches the same URL with this header: it needs only the results.
        if request.headers.get("X-Requested-With") == "fetch":
            return "shop/catalogue_fragment.html"
        return super().get_template(request, *args, **kwargs)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().serve(request, *args, **kwargs)
        patch_vary_headers(response, ["X-Requested-With"])
        return response


class ProductPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "shop.ProductPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class ProductRelation(Orderable):
    """A product shown as related on another product's page (in the visitor's language)."""

    page = ParentalKey("shop.ProductPage", related_name="related_links", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "shop.ProductPage",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("product")]

    class Meta(Orderable.Meta):
        verbose_name = _("related product")
        verbose_name_plural = _("related products")


class ProductPage(BasePage):
    """One product: price, stock, category, gallery, description and specifications."""

    sku = models.CharField(
        _("SKU"),
        max_length=40,
        db_index=True,
        validators=[
            RegexValidator(
                r"^[A-Z0-9][A-Z0-9-]*$", _("Use capital letters, digits and hyphens only.")
            )
        ],
        help_text=_("Stock-keeping unit, shared by every translation of the product."),
    )
    price = models.DecimalField(
        _("price"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, choices=CURRENCIES, default="EUR")
    stock = models.PositiveIntegerField(
        _("units in stock"), default=0, help_text=_("0 shows the product as out of stock.")
    )
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="products",
    )
    tags = ClusterTaggableManager(through=ProductPageTag, blank=True, verbose_name=_("tags"))
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown in the catalogue.")
    )
    gallery = StreamField(
        [("image", ImageBlock())],
        verbose_name=_("image gallery"),
        blank=True,
        help_text=_("The first image is the one shown in the catalogue."),
    )
    description = StreamField(
        body_blocks(),
        verbose_name=_("description"),
        blank=True,
        help_text=_("The product page's text, under the gallery."),
    )
    specifications = StreamField(
        [("spec", SpecificationBlock())],
        verbose_name=_("specifications"),
        blank=True,
        help_text=_("One row per characteristic, e.g. Weight: 245 g."),
    )

    objects = ProductPageManager()

    # A unique SKU cannot be a database constraint: every translation shares it.
    override_translatable_fields = [SynchronizedField("sku", overridable=False)]

    content_panels = [
        *BasePage.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("sku"),
                FieldRowPanel([FieldPanel("price"), FieldPanel("currency")]),
                FieldPanel("stock"),
                FieldPanel("category"),
                FieldPanel("tags"),
            ],
            heading=_("Product"),
        ),
        FieldPanel("summary"),
        FieldPanel("gallery"),
        FieldPanel("description"),
        FieldPanel("specifications"),
        InlinePanel("related_links", label=_("Related products"), max_num=8),
    ]

    search_fields = [
        *BasePage.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("sku"),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("price"),
        index.FilterField("stock"),
        index.FilterField("category"),
    ]

    api_fields = [
        APIField("sku"),
        APIField("price"),
        APIField("currency"),
        APIField("stock"),
        APIField("in_stock"),
        APIField("category", serializer=CategoryField()),
        APIField("tags"),
        APIField("summary"),
        APIField(
            "thumbnail",
            serializer=ImageRenditionField("fill-480x480|format-webp", source="main_image"),
        ),
        APIField(
            "image",
            serializer=ImageRenditionField("max-1200x1200|format-webp", source="main_image"),
        ),
        APIField("gallery"),
        APIField("description"),
        APIField("specifications"),
    ]

    parent_page_types = ["shop.ProductIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def clean(self) -> None:
        super().clean()
        if self.sku and self.locale_id:
            duplicates = ProductPage.objects.filter(sku=self.sku, locale_id=self.locale_id)
            if self.pk:
                duplicates = duplicates.exclude(pk=self.pk)
            if duplicates.exists():
                raise ValidationError(
                    {"sku": _("Another product in this language already uses this SKU.")}
                )

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    @property
    def low_stock(self) -> bool:
        return 0 < self.stock <= LOW_STOCK

    @cached_property
    def main_image(self) -> Any:  # a Wagtail image, or None
        """The first gallery image (attached in bulk by the catalogue to save queries)."""
        for item in self.gallery:
            if item.block_type == "image" and item.value["image"]:
                return item.value["image"]
        return None

    def main_image_id(self) -> int | None:
        """The first gallery image's id, read from the stored JSON without a query."""
        for item in self.gallery.raw_data:
            value = item.get("value") or {}
            if item.get("type") == "image" and value.get("image"):
                return int(value["image"])
        return None

    def get_social_image(self) -> Any:
        return self.og_image or self.main_image

    def search_texts(self) -> list[tuple[str, str]]:
        """(field, text) pairs the catalogue search indexes (see cms.shop.search.WEIGHTS)."""
        body = [
            *self.description.stream_block.get_searchable_content(self.description),
            *self.specifications.stream_block.get_searchable_content(self.specifications),
        ]
        return [
            ("sku", self.sku),
            ("title", self.title),
            ("summary", self.summary),
            ("category", self.category.name if self.category_id and self.category else ""),
            ("tags", " ".join(tag.name for tag in self.tags.all())),
            ("body", " ".join(str(text) for text in body)),
        ]

    def search_languages(self) -> list[str]:
        """The analyzers for this product's text: its locale's, and for an alias (which shows
        its source page's text) the source's too."""
        languages = [self.locale.language_code]
        if self.alias_of_id:
            languages.append(self.alias_of.locale.language_code)
        return languages

    def get_related_products(self) -> list["ProductPage"]:
        """The related products a visitor may see, each in this product's language.

        Related products are chosen in the source language; each one shows in this
        product's language (a translation, or the alias the locale tree keeps).
        """
        links = list(self.related_links.select_related("product"))
        keys = [link.product.translation_key for link in links]
        if not keys:
            return []
        versions = {
            version.translation_key: version
            for version in ProductPage.objects.catalogue(self.locale_id)
            .filter(translation_key__in=keys)
            .for_listing()
        }
        related = [versions[key] for key in dict.fromkeys(keys) if key in versions]
        return [version for version in related if version.pk != self.pk]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["details"] = ProductDetails(request, self, self.get_related_products)
        return context


class ProductSearchTerm(models.Model):
    """One term of a product's text, as `cms.shop.search` analyses it, for the catalogue search.

    Filled whenever a product is saved (published, translated, aliased) and by
    `manage.py rebuild_product_search`; a search looks terms up by the (term, product) index.
    """

    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="search_terms", db_index=True
    )
    term = models.CharField(max_length=MAX_TERM_LENGTH)
    # A word the term comes from, as written (casefolded): what a suggestion shows.
    word = models.CharField(max_length=MAX_TERM_LENGTH)
    weight = models.PositiveSmallIntegerField()  # summed field weights (search.WEIGHTS)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["term", "product"], name="shop_search_term_product")
        ]

    def __str__(self) -> str:
        return self.term


def reindex_products(products: Iterable[ProductPage]) -> int:
    """Replace the search terms of `products` (with their categories, tags and alias sources
    loaded, or loaded here one by one); the number of terms written."""
    rows = [
        ProductSearchTerm(product=product, term=term, word=word, weight=min(weight, 32767))
        for product in products
        for term, (weight, word) in weighted_terms(
            product.search_texts(), product.search_languages()
        ).items()
    ]
    with transaction.atomic():
        ProductSearchTerm.objects.filter(product__in={row.product_id for row in rows}).delete()
        ProductSearchTerm.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


@receiver(post_save, sender=ProductPage)
def index_product_search_terms(
    sender: type[ProductPage], instance: ProductPage, **kwargs: Any
) -> None:
    """Keep the catalogue search in step with every save that changes what it reads
    (not a draft revision: that saves only the page's bookkeeping fields)."""
    update_fields = kwargs.get("update_fields")
    if kwargs.get("raw") or (update_fields is not None and not SEARCHED_FIELDS & update_fields):
        return
    reindex_products([instance])


@receiver(post_save, sender=ProductCategory)
def reindex_category_products(
    sender: type[ProductCategory], instance: ProductCategory, **kwargs: Any
) -> None:
    """Product search covers the category name: keep both indexes in step when it changes
    (the catalogue's terms, and Wagtail's for the admin search)."""
    if kwargs.get("raw") or kwargs.get("created"):
        return
    products = list(ProductPage.objects.filter(category=instance).select_related("category"))
    for product in products:
        index.insert_or_update_object(product)
    reindex_products(products)
