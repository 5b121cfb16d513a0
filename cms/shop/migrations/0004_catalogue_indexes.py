"""Indexes that let the catalogue read one page of products without sorting them all.

Wagtail's page table has no index for a language's pages in publication order, so every
catalogue request sorted every product of the language (8 ms of SQLite with 10,000). The
catalogue's conditions (language, depth, newest first; path and live read from the same
index) and the API's (language, newest first) get theirs. Plain SQL: Wagtail owns wagtailcore_page, so these
cannot be declared on its model; the same statements run on SQLite and PostgreSQL.
"""

from django.db import migrations

INDEXES = {
    # catalogue(locale).child_of(index) ordered newest first; covering for its COUNT.
    "shop_page_catalogue_newest": (
        "wagtailcore_page",
        "locale_id, depth, first_published_at, id, path, live",
    ),
    # The API lists every depth of a language's tree: newest first, read in order.
    "shop_page_locale_newest": ("wagtailcore_page", "locale_id, first_published_at, id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("shop", "0003_block_labels"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f'CREATE INDEX "{name}" ON "{table}" ({columns})',
            reverse_sql=f'DROP INDEX "{name}"',
        )
        for name, (table, columns) in INDEXES.items()
    ]
