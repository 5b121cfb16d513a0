"""Money in the visitor's locale, the header's cart count, the profile's recent orders."""

from decimal import Decimal
from typing import Any

from django import template

from cms.orders.cart import Cart, max_quantity
from cms.orders.models import Order
from cms.shop.templatetags.shop_tags import format_price

register = template.Library()


@register.simple_tag
def money(amount: Decimal, currency: str) -> str:
    """{% money order.total order.currency %}: as the shop writes prices (cms.shop)."""
    return format_price(amount, currency)


@register.simple_tag
def cart_max(stock: int) -> int:
    """The most units of a product one order may take."""
    return max_quantity(stock)


@register.simple_tag(takes_context=True)
def cart_count(context: dict[str, Any]) -> int:
    """Units in the visitor's cart. Anonymous visitors without a session read nothing (no
    cookie, so their pages stay cacheable: they see 0)."""
    request = context.get("request")
    if request is None or not hasattr(request, "session"):
        return 0
    return Cart(request).count()


@register.simple_tag
def recent_orders(user: Any, limit: int = 5) -> list[Order]:
    return list(Order.objects.for_user(user)[:limit])
