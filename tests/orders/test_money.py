"""Order arithmetic: Decimal, cents rounded half-up, per-country tax, flat or free shipping."""

from decimal import Decimal

from cms.orders import money


def test_totals_with_flat_shipping_and_the_country_rate(settings):
    settings.TAX_RATES = {"ES": "0.21", "FR": "0.20"}
    totals = money.totals([Decimal("10.00"), Decimal("5.55")], "ES")
    assert totals.subtotal == Decimal("15.55")
    assert totals.shipping == Decimal("4.95")
    # (15.55 + 4.95) * 0.21 = 4.305 -> 4.31 (half-up, not banker's 4.30)
    assert totals.tax == Decimal("4.31")
    assert totals.total == Decimal("24.81")
    assert money.totals([Decimal("15.55")], "fr").tax == Decimal("4.10")


def test_free_shipping_from_the_threshold_and_the_default_rate(settings):
    settings.TAX_DEFAULT_RATE = "0.10"
    totals = money.totals([Decimal("50.00")], "JP")
    assert (totals.shipping, totals.tax, totals.total) == (
        Decimal("0.00"),
        Decimal("5.00"),
        Decimal("55.00"),
    )
    assert totals.tax_percent == Decimal("10")


def test_line_totals_and_an_empty_order():
    assert money.line_total(Decimal("0.335"), 3) == Decimal("1.01")
    assert money.totals([], "ES").total == Decimal("0.00")
