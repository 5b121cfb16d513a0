"""Shop fixtures: the demo catalogue `make run` seeds, and an empty one to fill at will."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from wagtail.models import Locale

from cms.base.demo.images import demo_image
from cms.home.models import HomePage
from cms.shop.models import ProductCategory, ProductIndexPage, ProductPage

_sequence = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttling counters and renditions live in the cache: start every test clean."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def es(db) -> Locale:
    return Locale.objects.get(language_code="es")


@pytest.fixture
def shop(es) -> ProductIndexPage:
    """The demo catalogue (Spanish), with the 25 demo products."""
    return ProductIndexPage.objects.get(locale=es)


@pytest.fixture
def empty_shop(es) -> ProductIndexPage:
    """A second catalogue under the Spanish home page, with no products yet."""
    home = HomePage.objects.get(locale=es)
    index = home.add_child(
        instance=ProductIndexPage(title="Banco de pruebas", slug="banco-de-pruebas", locale=es)
    )
    return index


@pytest.fixture
def category(es) -> ProductCategory:
    return ProductCategory.objects.create(name="Pruebas", slug="pruebas", locale=es)


@pytest.fixture
def images(db) -> list:
    return [demo_image(f"test-{n}", f"Imagen de prueba {n}", "", "night", n) for n in range(3)]


@pytest.fixture
def make_product(es, images):
    """make_product(index, title, price=…, stock=…, category=…, **fields) -> a live ProductPage."""

    def make(index, title: str, price: str = "10.00", stock: int = 5, category=None, **fields):
        number = next(_sequence)
        image = images[number % len(images)]
        fields.setdefault("summary", f"Resumen de {title}.")
        fields.setdefault(
            "gallery", [{"type": "image", "value": {"image": image.pk, "alt_text": title}}]
        )
        product = ProductPage(
            title=title,
            slug=f"producto-{number}",
            sku=fields.pop("sku", f"CR-TEST-{number:04d}"),
            price=Decimal(price),
            stock=stock,
            category=category,
            locale=fields.pop("locale", index.locale),
            first_published_at=timezone.now() - timedelta(days=1000 - number),
            **fields,
        )
        return index.add_child(instance=product)

    return make
