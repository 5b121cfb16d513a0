"""Order arithmetic: Decimal throughout, each amount rounded to cents half-up.

Prices are before tax. Shipping is a flat rate, free from a subtotal (both in the order's
currency); tax is the shipping country's rate (TAX_RATES, else TAX_DEFAULT_RATE) on the
subtotal plus shipping, as VAT applies to delivery too.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def tax_rate(country: str) -> Decimal:
    rates: dict[str, str] = settings.TAX_RATES
    return Decimal(rates.get(country.upper(), settings.TAX_DEFAULT_RATE))


def shipping_cost(subtotal: Decimal) -> Decimal:
    if subtotal <= 0 or subtotal >= Decimal(settings.FREE_SHIPPING_FROM):
        return Decimal("0.00")
    return cents(Decimal(settings.SHIPPING_FLAT_RATE))


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    shipping: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal

    @property
    def tax_percent(self) -> Decimal:
        """21 for 0.21, 5.5 for 0.055: what the summary shows next to "Tax"."""
        return (self.tax_rate * 100).normalize()


def totals(line_totals: Iterable[Decimal], country: str | None) -> Totals:
    """Totals of an order whose lines cost `line_totals`, shipped to `country`.

    Without a country yet (the cart page), tax is estimated at the default rate.
    """
    subtotal = cents(sum(line_totals, Decimal("0")))
    shipping = shipping_cost(subtotal)
    rate = tax_rate(country) if country else Decimal(settings.TAX_DEFAULT_RATE)
    tax = cents((subtotal + shipping) * rate)
    return Totals(subtotal, shipping, rate, tax, subtotal + shipping + tax)


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    return cents(unit_price * quantity)
