"""Fill the shop with generated products, to see how the catalogue behaves at scale.

    python manage.py seed_catalogue --products 10000

Generated products copy the demo products' text and images (no image files are made), in
Spanish, each with an alias in every other locale as wagtail-localize's tree
synchronisation would make it. Wagtail's `add_child` costs a tree lock, a revision and a
signal per page (tens of minutes for 80,000 pages), so pages are written in bulk with the
tree's materialised paths computed here; the tree stays valid (`manage.py fixtree` finds
nothing) and the catalogue search's terms are written with the pages. Not written: revisions
(an alias has none; a generated product is edited from its current state), Wagtail's own
search index and reference index (the admin's search and usage counts: `manage.py
update_index` and `rebuild_references_index` fill them when wanted).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from wagtail.models import Locale, Page

from cms.base.locales import default_locale
from cms.shop.models import ProductIndexPage, ProductPage, ProductSearchTerm
from cms.shop.search import weighted_terms

SKU_PREFIX = "CR-GEN-"
BATCH = 1000  # Spanish products per transaction (with their aliases: 8,000 pages)


@dataclass
class Shelf:
    """A catalogue page in one locale and the next free child position under it."""

    index: Page
    next_position: int

    @classmethod
    def of(cls, index: Page) -> "Shelf":
        last = (
            Page.objects.filter(path__startswith=index.path, depth=index.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        position = Page._str2int(last[-Page.steplen :]) + 1 if last else 1
        return cls(index, position)

    def take_path(self) -> str:
        path: str = Page._get_path(self.index.path, self.index.depth + 1, self.next_position)
        self.next_position += 1
        return path


class Command(BaseCommand):
    help = (
        "Top the Spanish catalogue up to N products (generated from the demo products, "
        "reusing their images), each with an alias in every other locale. Idempotent: "
        "products already there count towards N and nothing is duplicated. Needs the demo "
        "site (`manage.py setup_croody`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--products",
            type=int,
            default=10_000,
            metavar="N",
            help="Products the Spanish catalogue should hold, demo ones included (default: 10000).",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=BATCH,
            help=f"Spanish products written per transaction (default: {BATCH}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        wanted, batch = options["products"], options["batch"]
        if wanted < 0:
            raise CommandError(f"--products must be 0 or more, not {wanted}.")
        if batch < 1:
            raise CommandError(f"--batch must be 1 or more, not {batch}.")
        source_locale = default_locale()
        index = ProductIndexPage.objects.filter(locale=source_locale).first()
        if index is None:
            raise CommandError(
                "No catalogue page in the default language: run `manage.py setup_croody` first."
            )
        models_ = list(
            ProductPage.objects.child_of(index)
            .filter(alias_of__isnull=True)
            .exclude(sku__startswith=SKU_PREFIX)
            .select_related("category")
            .order_by("pk")
        )
        if not models_:
            raise CommandError("The catalogue has no demo products to copy.")
        shelves = {source_locale.pk: Shelf.of(index)}
        for locale in Locale.objects.exclude(pk=source_locale.pk).order_by("pk"):
            translated = index.get_translations().filter(locale=locale).first()
            if translated is None:
                self.stderr.write(f"  no catalogue in {locale.language_code}: no aliases there")
                continue
            shelves[locale.pk] = Shelf.of(translated)

        present = ProductPage.objects.child_of(index).count()
        missing = max(0, wanted - present)
        self.report(f"{present} products in the catalogue, {missing} to add for {wanted}")
        numbers = self.free_numbers()
        started = timezone.now()
        made = 0
        factory = ProductFactory(models_, shelves, source_locale, started)
        while made < missing:
            count = min(batch, missing - made)
            pages = factory.make([next(numbers) for _ in range(count)])
            made += count
            self.report(f"  {made}/{missing} products ({pages} pages with their aliases)")
        self.report(
            f"Done: {ProductPage.objects.child_of(index).count()} products in the catalogue, "
            f"{ProductPage.objects.count()} product pages in all languages"
        )

    def free_numbers(self) -> Iterator[int]:
        """Numbers no generated SKU uses yet, after the highest one."""
        used = ProductPage.objects.filter(sku__startswith=SKU_PREFIX).values_list("sku", flat=True)
        highest = max((int(sku.removeprefix(SKU_PREFIX)) for sku in used), default=0)
        number = highest
        while True:
            number += 1
            yield number

    def report(self, message: str) -> None:
        if self.verbosity > 0:
            self.stdout.write(message)
            self.stdout.flush()

    def execute(self, *args: Any, **options: Any) -> Any:
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)


class ProductFactory:
    """Writes generated products and their aliases, a batch per transaction."""

    def __init__(
        self,
        models_: list[ProductPage],
        shelves: dict[int, Shelf],
        source_locale: Locale,
        now: datetime,
    ) -> None:
        self.models = models_
        self.shelves = shelves
        self.source_locale = source_locale
        self.now = now
        self.languages = dict(Locale.objects.values_list("pk", "language_code"))
        # What the search reads from each model, analysed once (search_texts is per product).
        self.texts = {model.pk: model.search_texts() for model in models_}
        self._shared: dict[tuple[int, tuple[str, ...]], dict[str, tuple[int, str]]] = {}

    def make(self, numbers: list[int]) -> int:
        """Write a Spanish product per number and its aliases; the pages written."""
        sources = [self.product(number) for number in numbers]
        with transaction.atomic():
            self.insert(sources, self.source_locale.pk)
            pages = list(sources)
            for locale_id in self.shelves:
                if locale_id != self.source_locale.pk:
                    aliases = [self.alias(source, locale_id) for source in sources]
                    self.insert(aliases, locale_id)
                    pages.extend(aliases)
            self.index_search(pages)
        return len(pages)

    def product(self, number: int) -> ProductPage:
        model = self.models[number % len(self.models)]
        published = self.now - timedelta(minutes=number)
        title = f"{model.title} · {number:05d}"
        product = ProductPage(
            title=title,
            draft_title=title,
            slug=f"{model.slug}-{number:05d}",
            sku=f"{SKU_PREFIX}{number:05d}",
            # Spread prices and stock so filters and sorts have something to do.
            price=Decimal(5 + (number * 37) % 400) + Decimal("0.95"),
            currency=model.currency,
            stock=(number * 7) % 40,
            category=model.category,
            summary=model.summary,
            search_description=model.summary,
            gallery=list(model.gallery.raw_data),  # the demo's images, no new files
            description=list(model.description.raw_data),
            specifications=list(model.specifications.raw_data),
            locale_id=self.source_locale.pk,
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
        )
        product._model_pk = model.pk  # for its search texts
        return product

    def alias(self, source: ProductPage, locale_id: int) -> ProductPage:
        """What `Page.create_alias(parent=…, update_locale=…)` makes (wagtail-localize's tree
        synchronisation): a copy that keeps the source's fields and translation key."""
        alias = ProductPage(
            **{
                field.attname: getattr(source, field.attname)
                for field in ProductPage._meta.concrete_fields
                if not field.primary_key and field.attname != "page_ptr_id"
            }
        )
        alias.alias_of_id = source.pk
        alias.locale_id = locale_id
        alias._model_pk = source._model_pk
        return alias

    def insert(self, products: list[ProductPage], locale_id: int) -> None:
        """Rows in wagtailcore_page then shop_productpage (Django's bulk_create refuses
        multi-table models), at the next free positions of the locale's catalogue."""
        shelf = self.shelves[locale_id]
        for product in products:
            product.path = shelf.take_path()
            product.depth = shelf.index.depth + 1
            product.numchild = 0
            product.url_path = f"{shelf.index.url_path}{product.slug}/"
        page_fields = [f for f in Page._meta.concrete_fields if not f.primary_key]
        rows = [Page(**{f.attname: getattr(p, f.attname) for f in page_fields}) for p in products]
        Page.objects.bulk_create(rows, batch_size=500)
        for product, row in zip(products, rows, strict=True):
            product.pk = product.page_ptr_id = row.pk
        own_fields = ProductPage._meta.local_concrete_fields
        size = max(1, connection.ops.bulk_batch_size(own_fields, products))
        for start in range(0, len(products), size):
            ProductPage._base_manager._insert(
                products[start : start + size], fields=own_fields, raw=True
            )
        Page.objects.filter(pk=shelf.index.pk).update(numchild=models.F("numchild") + len(products))

    def index_search(self, pages: list[ProductPage]) -> None:
        """The catalogue search's terms, as `reindex_products` would write them: an alias is
        analysed in its language and its source's (ProductPage.search_languages).

        Only the SKU and title differ from the model product's text, so the rest is analysed
        once per model and language; rows go in with executemany, not model instances
        (about 55 terms a page: half a million rows per batch)."""
        source_language = self.languages[self.source_locale.pk]
        rows: list[tuple[int, str, str, int]] = []
        for page in pages:
            languages = (self.languages[page.locale_id], source_language)
            own = weighted_terms([("sku", page.sku), ("title", page.title)], languages)
            shared = self.shared_terms(page._model_pk, languages)
            for term, (weight, word) in shared.items():
                own_weight, own_word = own.get(term, (0, word))
                own[term] = (own_weight + weight, own_word)
            rows.extend(
                (page.pk, term, word, min(weight, 32767)) for term, (weight, word) in own.items()
            )
        table = ProductSearchTerm._meta.db_table
        column = {f.name: str(f.column) for f in ProductSearchTerm._meta.concrete_fields}
        columns = ", ".join(
            connection.ops.quote_name(column[name])
            for name in ("product", "term", "word", "weight")
        )
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(table)} ({columns}) "  # noqa: S608  # names from _meta
                "VALUES (%s, %s, %s, %s)",
                rows,
            )

    def shared_terms(self, model_pk: int, languages: tuple[str, ...]) -> dict[str, tuple[int, str]]:
        key = (model_pk, languages)
        if key not in self._shared:
            texts = [(f, t) for f, t in self.texts[model_pk] if f not in {"sku", "title", "tags"}]
            self._shared[key] = weighted_terms(texts, languages)
        return self._shared[key]
