"""An index that reads the products in price order (`ProductQuerySet.rows`).

The catalogue's price sorts walk it from the cheapest (or the dearest) product and stop at
the page's last one, instead of sorting every match. On SQLite the primary key is the rowid,
which every index holds; PostgreSQL needs it named to read ties in order. Plain SQL, as in
0004, so that the models' state stays Django's own.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("shop", "0004_catalogue_indexes")]

    operations = [
        migrations.RunSQL(
            sql='CREATE INDEX "shop_product_price" ON "shop_productpage" ("price", "page_ptr_id")',
            reverse_sql='DROP INDEX "shop_product_price"',
        )
    ]
