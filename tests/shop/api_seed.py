"""Build a CMS database for the fuzz tests of /api/v2/, in a subprocess.

`python tests/shop/api_seed.py` with DATABASE_URL set: applies the CMS migrations, creates the
8 locales and the Spanish demo site (pages, 25 products, images; no translations, to keep it
quick), adds a document, and prints the ids it made as JSON on its last line.
"""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def main() -> None:
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    from cms.base.demo.loader import build_source_site
    from cms.base.localization import ensure_locales
    from cms.shop.models import ProductPage

    call_command("migrate", verbosity=0)
    ensure_locales()
    build_source_site()
    document = get_document_model()(title="Guía de tallas")
    document.file.save("guia-de-tallas.txt", ContentFile(b"Tallas: 38-46.\n"))
    product = ProductPage.objects.live().get(slug="tempo-3")
    image = get_image_model().objects.order_by("pk").first()
    assert image is not None
    print(json.dumps({"product": product.pk, "image": image.pk, "document": document.pk}))


if __name__ == "__main__":
    main()
