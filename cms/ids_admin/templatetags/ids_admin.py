"""Numbers on the analysts' pages with the page language's digit grouping."""

from django import template

from cms.ids_admin.chart import localized

register = template.Library()


@register.filter
def count(value: int | None) -> str:
    """1234 as "1,234" (en) or "1.234" (es); 100000 as "1,00,000" (hi)."""
    return "—" if value is None else localized(value)


@register.filter
def percent(value: float | None) -> str:
    """0.75 as "75.0 %" (en) or "75,0 %" (es), the sign kept on the number's line."""
    if value is None:
        return "—"
    # Rounded here: the number formatter would cut 66.67 to 66.6.
    return f"{localized(round(value * 100, 1), 1)}\u00a0%"
