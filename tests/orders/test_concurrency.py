"""Two buyers of the last unit, in two real concurrent PostgreSQL transactions: one wins.

The threads use their own database connections, so what they do is committed for real
(outside the test's rolled-back transaction); each test puts the stock back and deletes
its orders at the end.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction

from cms.orders.models import Order, OrderLine
from cms.orders.stock import OutOfStock
from cms.shop.models import ProductPage
from tests.orders.conftest import ADDRESS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]


def in_thread(function: Callable[[], Any]) -> Any:
    """Run `function` on a connection of its own and return (or raise) what it does."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = function()
        except BaseException as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def place(product: ProductPage) -> Order:
    line = OrderLine.snapshot(product.translation_key, product.sku, product.title, product.price, 1)
    fields = {key: value for key, value in ADDRESS.items() if key != "country"}
    return Order.place([line], "ES", language="es", currency="EUR", **fields)


@pytest.fixture
def last_unit(product):
    """Every version of `product` with one unit left (committed); restored afterwards."""
    versions = ProductPage.objects.filter(translation_key=product.translation_key)
    original = product.stock
    in_thread(lambda: versions.update(stock=1))
    yield product
    in_thread(
        lambda: (
            Order.objects.filter(email=ADDRESS["email"]).delete(),
            versions.update(stock=original),
        )
    )


def stocks(product: ProductPage) -> set[int]:
    return in_thread(
        lambda: set(
            ProductPage.objects.filter(translation_key=product.translation_key).values_list(
                "stock", flat=True
            )
        )
    )


def test_the_second_buyer_waits_for_the_first_then_finds_none_left(last_unit):
    reserved = threading.Event()
    results: dict[str, Any] = {}

    def first() -> None:
        with transaction.atomic():
            results["first"] = place(last_unit)
            reserved.set()
            time.sleep(0.5)  # the second buyer's UPDATE waits on the row meanwhile

    def second() -> None:
        reserved.wait(10)
        started = time.monotonic()
        try:
            results["second"] = place(last_unit)
        except OutOfStock as error:
            results["second"] = error
        results["waited"] = time.monotonic() - started

    threads = [threading.Thread(target=in_thread, args=(job,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert isinstance(results["first"], Order)
    assert isinstance(results["second"], OutOfStock)
    assert results["waited"] > 0.2  # it really was blocked by the first transaction
    assert stocks(last_unit) == {0}
    assert in_thread(lambda: Order.objects.filter(email=ADDRESS["email"]).count()) == 1


def test_buyers_racing_at_once_never_oversell(last_unit):
    start = threading.Barrier(4)
    outcomes: list[Any] = []

    def buyer() -> None:
        start.wait(10)
        try:
            outcomes.append(place(last_unit))
        except OutOfStock as error:
            outcomes.append(error)

    threads = [threading.Thread(target=in_thread, args=(buyer,)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sum(isinstance(outcome, Order) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, OutOfStock) for outcome in outcomes) == 3
    assert stocks(last_unit) == {0}
