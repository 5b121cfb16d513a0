"""API representations of shop objects that Wagtail cannot derive on its own."""

from typing import TYPE_CHECKING, Any

from rest_framework.fields import Field

if TYPE_CHECKING:
    from cms.shop.models import ProductCategory


class CategoryField(Field["ProductCategory", Any, dict[str, Any], Any]):
    """A product's category as {id, name, slug}, in the category's own language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, category: "ProductCategory") -> dict[str, Any]:
        return {
            "id": category.pk,
            "name": category.name,
            "slug": category.slug,
            "locale": category.locale.language_code if category.locale_id else None,
        }
