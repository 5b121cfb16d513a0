"""The visitor's cart: product translation keys and quantities, in the session or the database.

Anonymous visitors keep it in their session; signed-in users in `CartItem` rows, so it
follows them across devices. On sign-in the session's cart is added to the account's
(`merge_session_cart`). Every change to those rows goes through this module, which drops the
header's cached count (`CART_COUNT`) as it goes. A cart stores no titles or prices: each
view resolves the products in the page's language, so the cart shows every title in the
visitor's language and today's price and stock.
"""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest

from cms.accounts.per_user import PerUser
from cms.orders import money, stock
from cms.orders.models import CartItem, OrderLine
from cms.shop.models import ProductPage

SESSION_KEY = "orders_cart"


def _units_in_cart(user: Any) -> int:
    return sum(CartItem.objects.filter(user=user).values_list("quantity", flat=True))


# The header's count on every signed-in page, without a query (cms.accounts.per_user).
CART_COUNT = PerUser("cart", _units_in_cart)


@dataclass
class CartLine:
    product: ProductPage  # in the visitor's language where it exists
    quantity: int
    available: int  # units left (read from the product's source page)

    @property
    def key(self) -> uuid.UUID:
        return self.product.translation_key

    @property
    def title(self) -> str:
        return self.product.title

    @property
    def unit_price(self) -> Decimal:
        return self.product.price

    @property
    def line_total(self) -> Decimal:
        return money.line_total(self.product.price, self.quantity)

    @property
    def max_quantity(self) -> int:
        return max_quantity(self.available)

    @property
    def short(self) -> bool:
        """More in the cart than in stock (someone bought the rest meanwhile)."""
        return self.quantity > self.available

    def snapshot(self) -> OrderLine:
        return OrderLine.snapshot(
            self.key, self.product.sku, self.product.title, self.product.price, self.quantity
        )


def max_quantity(available: int) -> int:
    return min(available, settings.CART_MAX_QUANTITY)


def products_in_language(keys: list[uuid.UUID]) -> dict[uuid.UUID, ProductPage]:
    """Each key's live product in the active language, else in any language (source first)."""
    found: dict[uuid.UUID, ProductPage] = {}
    for product in ProductPage.objects.catalogue().filter(translation_key__in=keys):
        found[product.translation_key] = product
    missing = [key for key in keys if key not in found]
    if missing:
        for product in (
            ProductPage.objects.live().public().filter(translation_key__in=missing).order_by("-pk")
        ):
            found[product.translation_key] = product  # the lowest pk, the source, wins
    return found


class Cart:
    """Read and change the current visitor's cart; quantities are capped, never negative."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request
        self.user: Any = getattr(request, "user", None)

    @property
    def signed_in(self) -> bool:
        return bool(self.user is not None and self.user.is_authenticated)

    # Storage ----------------------------------------------------------------------------

    def quantities(self) -> dict[uuid.UUID, int]:
        if self.signed_in:
            return dict(
                CartItem.objects.filter(user=self.user).values_list("product_key", "quantity")
            )
        return session_quantities(self.request)

    def set(self, key: uuid.UUID, quantity: int) -> None:
        if self.signed_in:
            if quantity > 0:
                CartItem.objects.update_or_create(
                    user=self.user, product_key=key, defaults={"quantity": quantity}
                )
            else:
                CartItem.objects.filter(user=self.user, product_key=key).delete()
            CART_COUNT.forget([self.user.pk])
            return
        stored = {str(k): v for k, v in session_quantities(self.request).items()}
        if quantity > 0:
            stored[str(key)] = quantity
        else:
            stored.pop(str(key), None)
        self.request.session[SESSION_KEY] = stored

    def clear(self) -> None:
        if self.signed_in:
            CartItem.objects.filter(user=self.user).delete()
            CART_COUNT.forget([self.user.pk])
        else:
            self.request.session.pop(SESSION_KEY, None)

    def count(self) -> int:
        if self.signed_in:
            return CART_COUNT.get(self.user)
        return sum(session_quantities(self.request).values())

    # Views' operations --------------------------------------------------------------------

    def add(self, product: ProductPage, quantity: int) -> int:
        """Add up to `quantity` units, capped by stock and CART_MAX_QUANTITY; returns how
        many were added (0: the cart already holds all it may)."""
        key = product.translation_key
        cap = max_quantity(stock.available([key]).get(key, 0))
        current = self.quantities().get(key, 0)
        new = min(current + quantity, cap)
        if new <= current:
            return 0
        self.set(key, new)
        return new - current

    def lines(self) -> list[CartLine]:
        quantities = self.quantities()
        keys = list(quantities)
        products = products_in_language(keys)
        left = stock.available(keys)
        lines = []
        for key, quantity in quantities.items():
            if key in products:
                lines.append(CartLine(products[key], quantity, left.get(key, 0)))
            else:  # unpublished or deleted since: it leaves the cart quietly
                self.set(key, 0)
        return lines

    def __iter__(self) -> Iterator[CartLine]:
        return iter(self.lines())


def session_quantities(request: HttpRequest) -> dict[uuid.UUID, int]:
    """The session's cart, ignoring anything malformed in it."""
    stored: Any = request.session.get(SESSION_KEY) or {}
    quantities: dict[uuid.UUID, int] = {}
    if isinstance(stored, dict):
        for raw_key, raw_quantity in stored.items():
            try:
                key = uuid.UUID(str(raw_key))
            except ValueError:
                continue
            if isinstance(raw_quantity, int) and raw_quantity > 0:
                quantities[key] = raw_quantity
    return quantities


def merge_session_cart(request: HttpRequest, user: Any) -> None:
    """Add the anonymous cart kept in the session to `user`'s, capped like any addition."""
    quantities = session_quantities(request)
    if not quantities:
        return
    left = stock.available(quantities)
    with transaction.atomic():
        existing = dict(
            CartItem.objects.select_for_update()
            .filter(user=user, product_key__in=list(quantities))
            .values_list("product_key", "quantity")
        )
        for key, quantity in quantities.items():
            cap = max(max_quantity(left.get(key, 0)), existing.get(key, 0))
            merged = min(existing.get(key, 0) + quantity, cap)
            if key in existing:
                CartItem.objects.filter(user=user, product_key=key).update(quantity=merged)
            elif merged > 0:
                CartItem.objects.create(user=user, product_key=key, quantity=merged)
        CART_COUNT.forget([user.pk])
    request.session.pop(SESSION_KEY, None)
