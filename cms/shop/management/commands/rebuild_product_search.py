"""Rebuild the catalogue search's term table (cms.shop.search) for every product.

Saving a product keeps its terms up to date; this is for a database filled before the table
existed, or after the analyzer changes. `setup_croody` (and so `make run`) runs it.
"""

from typing import Any

from django.core.management.base import BaseCommand

from cms.shop.models import ProductPage, reindex_products

BATCH = 500


class Command(BaseCommand):
    help = "Re-analyse every product's text into the catalogue search's term table."

    def handle(self, *args: Any, **options: Any) -> None:
        products = (
            ProductPage.objects.select_related("category", "locale", "alias_of__locale")
            .prefetch_related("tags")
            .order_by("pk")
        )
        count = terms = 0
        ids = list(products.values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            batch = list(products.filter(pk__in=ids[start : start + BATCH]))
            terms += reindex_products(batch)
            count += len(batch)
        if options["verbosity"] > 0:
            self.stdout.write(f"{count} products, {terms} search terms")
