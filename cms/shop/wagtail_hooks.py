"""The product categories in the admin's Snippets menu, with the product count per row."""

from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.shop.models import ProductCategory


class ProductCategoryViewSet(SnippetViewSet):
    model = ProductCategory
    icon = "tag"
    menu_label = _("Product categories")
    list_display = ["name", "slug", "locale", Column("product_count", label=_("Products"))]
    list_filter = ["locale"]
    search_fields = ["name", "slug"]
    ordering = ["name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProductCategory]:
        return ProductCategory.objects.select_related("locale").annotate(
            product_count=Count("products")
        )


register_snippet(ProductCategoryViewSet)
