"""The catalogue's filters, read from the URL: one form for the page and the API.

The page ignores a value it cannot use (and says so); the API answers 400 with the
reason. Either way the same form turns valid values into the same QuerySet calls.
"""

import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cms.shop.querysets import RELEVANCE, ProductQuerySet

MAX_PRICE = Decimal("1000000")
MAX_QUERY_LENGTH = 100

IN_STOCK = "in_stock"
AVAILABILITY_CHOICES = [("", _("All products")), (IN_STOCK, _("In stock only"))]
SORT_CHOICES = [
    ("", _("Relevance")),  # the default: best match first when searching, else newest
    ("newest", _("Newest")),
    ("price", _("Price: low to high")),
    ("-price", _("Price: high to low")),
    ("name", _("Name (A–Z)")),  # noqa: RUF001
]


def search_words(text: str) -> str:
    """Words only: punctuation and symbols are query syntax to full-text engines
    (FTS5 fails on a lone quote), so they become spaces; hyphens stay (SKUs).

    The catalogue's search box and every search of the API (`?search=`) read text this way."""
    text = "".join(
        " " if unicodedata.category(char)[0] in "PSC" and char != "-" else char for char in text
    )
    return " ".join(word.strip("-") for word in text.split() if word.strip("-"))


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search products"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    category = forms.ChoiceField(label=_("Category"), required=False)
    min_price = forms.DecimalField(
        label=_("Minimum price"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    max_price = forms.DecimalField(
        label=_("Maximum price"),
        required=False,
        min_value=0,
        max_value=MAX_PRICE,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    availability = forms.ChoiceField(
        label=_("Availability"), required=False, choices=AVAILABILITY_CHOICES
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        data: QueryDict | dict[str, Any] | None = None,
        *,
        categories: Iterable[Any] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(data, **kwargs)
        cast(forms.ChoiceField, self.fields["category"]).choices = [
            ("", _("All categories")),
            *((category.slug, category.name) for category in categories),
        ]

    def clean_q(self) -> str:
        return search_words(self.cleaned_data.get("q", ""))

    def clean(self) -> dict[str, Any]:
        cleaned = cast(dict[str, Any], super().clean())  # Form.clean gives cleaned_data
        low, high = cleaned.get("min_price"), cleaned.get("max_price")
        if low is not None and high is not None and low > high:
            cleaned["min_price"], cleaned["max_price"] = high, low  # corrected, not refused
        return cleaned

    def valid_filters(self) -> dict[str, Any]:
        """The values that passed validation; a bad one is dropped, the rest still apply."""
        self.is_valid()
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in self.errors and value not in (None, "")
        }

    def effective_sort(self, filters: dict[str, Any]) -> str:
        """Relevance only means something while searching; otherwise newest first."""
        sort = filters.get("sort") or RELEVANCE
        if sort == RELEVANCE and not filters.get("q"):
            return "newest"
        return sort

    def apply(self, queryset: ProductQuerySet, filters: dict[str, Any] | None = None) -> Any:
        """Filter, then sort or search `queryset` (a ProductQuerySet) with the form's values."""
        if filters is None:
            filters = self.valid_filters()
        if filters.get("category"):
            queryset = queryset.in_category(filters["category"])
        queryset = queryset.price_between(filters.get("min_price"), filters.get("max_price"))
        if filters.get("availability") == IN_STOCK:
            queryset = queryset.in_stock()
        sort = self.effective_sort(filters)
        if filters.get("q"):
            return queryset.search_catalogue(filters["q"], sort)
        return queryset.sorted_by(sort)

    @staticmethod
    def as_query(filters: dict[str, Any]) -> dict[str, str]:
        """The filters as URL parameters (prices without trailing zeros)."""
        query = {}
        for name, value in filters.items():
            if isinstance(value, Decimal):
                value = format(value.normalize(), "f")
            query[name] = str(value)
        return query
