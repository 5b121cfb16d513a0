"""Stock of a product across its translations, reserved and released atomically.

Each translation of a product is a page with its own `stock` column (wagtail-localize
copies it from the source when a translation is synced). The source of truth is the first
page of the translation group, the original: a reservation is one conditional
`UPDATE … SET stock = stock - n WHERE stock >= n` on it, which the database serialises (a
second buyer's UPDATE waits for the first to commit, then finds too little and changes
nothing), and every translation then takes the source's new value, so every language shows
the same stock. Callers run these inside `transaction.atomic()`.
"""

import uuid
from collections.abc import Iterable

from django.db.models import F, Min, Subquery

from cms.pagecache.dependencies import shown_on, url_path
from cms.pagecache.purge import Purge, schedule
from cms.shop.models import ProductPage


class OutOfStock(Exception):
    """Fewer units left than asked for: nothing of the order is reserved."""

    def __init__(self, product_key: uuid.UUID, title: str) -> None:
        super().__init__(title)
        self.product_key = product_key
        self.title = title


def source_ids(keys: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """translation_key -> id of the page holding the stock (the group's first page)."""
    rows = (
        ProductPage.objects.filter(translation_key__in=list(keys))
        .values("translation_key")
        .annotate(source=Min("pk"))
    )
    return {row["translation_key"]: row["source"] for row in rows}


def available(keys: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Units left of each product, read from its source page."""
    sources = source_ids(keys)
    stock = dict(ProductPage.objects.filter(pk__in=sources.values()).values_list("pk", "stock"))
    return {key: stock.get(pk, 0) for key, pk in sources.items()}


def reserve(quantities: dict[uuid.UUID, int], titles: dict[uuid.UUID, str]) -> None:
    """Take every quantity or raise OutOfStock (run in a transaction, which then rolls back).

    Keys are taken in a fixed order so two orders never wait for each other's rows.
    """
    sources = source_ids(quantities)
    for key in sorted(quantities, key=str):
        quantity = quantities[key]
        source = sources.get(key)
        taken = (
            source is not None
            and ProductPage.objects.filter(pk=source, stock__gte=quantity).update(
                stock=F("stock") - quantity
            )
            == 1
        )
        if not taken:
            raise OutOfStock(key, titles.get(key, ""))
        _copy_to_translations(key, source)


def release(quantities: dict[uuid.UUID, int]) -> None:
    """Give units back (a cancelled order, a declined payment)."""
    sources = source_ids(quantities)
    for key in sorted(quantities, key=str):
        if (source := sources.get(key)) is not None:
            ProductPage.objects.filter(pk=source).update(stock=F("stock") + quantities[key])
            _copy_to_translations(key, source)


def _copy_to_translations(key: uuid.UUID, source: int | None) -> None:
    source_stock = ProductPage.objects.filter(pk=source).values("stock")[:1]
    ProductPage.objects.filter(translation_key=key).exclude(pk=source).update(
        stock=Subquery(source_stock)
    )
    # Product pages and cards show the stock: drop their cached copies after the commit,
    # in every language (each version's catalogue and the products showing it as related).
    versions = list(ProductPage.objects.filter(translation_key=key, live=True))
    purge = Purge(pages={path for version in versions if (path := url_path(version))})
    for version in versions:
        purge.update(shown_on(version))
    schedule(purge)
