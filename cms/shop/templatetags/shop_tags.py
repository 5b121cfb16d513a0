"""Prices in the visitor's locale, JSON-LD data blocks and product cards."""

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from babel.core import UnknownLocaleError
from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.template import Context
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, to_locale

from cms.pagecache.dependencies import url_path
from cms.pagecache.fragments import cached_many
from cms.shop.querysets import attach_card_images

register = template.Library()

CARD_TEMPLATE = "shop/includes/product_card.html"

# As django.utils.html.json_script: nothing in the data can close the <script> element.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def format_price(amount: Decimal, currency: str, language: str | None = None) -> str:
    """`amount` in `currency` as written in `language` (default: the active one).

    Babel applies CLDR's rules: symbol before or after, decimal and group separators,
    digits, e.g. 1.299,00 € (es), €1,299.00 (en), 1 299,00 € (fr), €1,299.00 (ja).
    """
    code = to_locale(language or get_language() or settings.LANGUAGE_CODE)
    try:
        return format_currency(amount, currency, locale=code)
    except (UnknownLocaleError, ValueError):
        return format_currency(amount, currency, locale=to_locale(settings.LANGUAGE_CODE))


@register.simple_tag
def price(product: Any) -> str:
    """{% price product %}: the product's price in the visitor's locale."""
    return format_price(product.price, product.currency)


@register.filter
def json_ld(data: Any) -> SafeString:
    """A <script type="application/ld+json"> data block (not executed, so CSP allows it)."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308


@register.simple_tag(takes_context=True)
def product_cards(context: Context, products: Iterable[Any]) -> SafeString:
    """{% product_cards products %}: each product's card (CARD_TEMPLATE), as HTML.

    Everything a card shows (title, URL, price, stock, category, first image) is on the
    product's own page, so the card is kept in the fragment cache under that page's purge
    tokens: what changes it purges the page and so retires the card (cms.pagecache). The
    cards not kept are rendered, their images fetched together.
    """
    products = list(products)
    request = context.get("request")
    card = context.template.engine.get_template(CARD_TEMPLATE)  # type: ignore[union-attr]

    def render(indexes: list[int]) -> list[str]:
        missing = [products[index] for index in indexes]
        attach_card_images(missing)
        cards = []
        for product in missing:
            with context.push(product=product):
                cards.append(card.render(context))
        return cards

    paths = [url_path(product, request) for product in products]
    return mark_safe("".join(cached_many(request, "product-card", paths, render)))  # noqa: S308
