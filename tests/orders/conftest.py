import pytest

from cms.shop.models import ProductPage


@pytest.fixture
def product(db) -> ProductPage:
    """A Spanish demo product in stock (its translations share its translation_key)."""
    return (
        ProductPage.objects.filter(locale__language_code="es", live=True, stock__gt=2)
        .order_by("pk")
        .first()
    )


def version(product: ProductPage, code: str) -> ProductPage:
    return ProductPage.objects.get(
        translation_key=product.translation_key, locale__language_code=code
    )


ADDRESS = {
    "email": "ana@example.com",
    "full_name": "Ana Pérez",
    "address_line1": "Calle Mayor 1",
    "address_line2": "",
    "city": "Madrid",
    "postal_code": "28001",
    "country": "ES",
}
