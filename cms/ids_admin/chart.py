"""Verdicts over time as an SVG bar chart, drawn on the server (no script, no CDN).

Two drawings of the same buckets: a wide one and a compact one for phones (the page's CSS
shows one). Each bar carries a <title> (the browser's tooltip) and its counts as data-*
attributes, which ids_admin.js reads to show them on touch and from the keyboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class ChartBucket:
    """One bar: the bucket's start, its predictions, their count per verdict."""

    start_ms: int
    total: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)

    @property
    def attacks(self) -> int:
        return self.verdicts.get("attack", 0)

    @property
    def normal(self) -> int:
        return self.verdicts.get("normal", 0)

    @property
    def start(self) -> datetime:
        return datetime.fromtimestamp(self.start_ms / 1000, tz=UTC)


@dataclass(frozen=True)
class Layout:
    """A drawing's size in its own units, its margins, font size and how many time labels."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    font_size: int
    time_labels: int
    label_half_width: int  # about half the width of "11-28 13:15" at font_size


# Wide: up to 60rem across. Compact: drawn at about the size a 390 px phone shows it
# (340 units across ~340 px), so its 13-unit text stays about 13 px.
WIDE = Layout(760, 240, 56, 12, 12, 40, 11, 6, 36)
COMPACT = Layout(340, 220, 44, 8, 12, 40, 13, 3, 42)

NORMAL_COLOUR = "#7d8f99"
ATTACK_COLOUR = "#c62828"


# Django gives these languages a thousands separator but no grouping; CLDR's grouping.
_GROUPING: dict[str, int | tuple[int, ...]] = {"hi": (3, 2, 0), "ar": 3}


def localized(value: int | float, decimals: int | None = None) -> str:
    """A number in the active language's format, digits grouped: 1,234 (en), 1 234 (es, fr),
    1.234 (pt), 12,34,567 (hi)."""
    grouping = get_format("NUMBER_GROUPING") or _GROUPING.get(get_language() or "", 0)
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR"),
        decimals,
        grouping,
        get_format("THOUSAND_SEPARATOR"),
        force_grouping=True,
    )


def _nice_max(value: int) -> int:
    """A round axis maximum at or above value (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def time_label(start: datetime, bucket_seconds: int, span_days: float) -> str:
    if bucket_seconds >= 86400:
        return start.strftime("%Y-%m-%d")
    return start.strftime("%m-%d %H:%M" if span_days > 1 else "%H:%M")


def bar_summary(bucket: ChartBucket, bucket_seconds: int) -> str:
    """What a bar says in its tooltip and in the table: when, attacks, normal."""
    return _("%(time)s UTC: attacks %(attacks)s, normal %(normal)s") % {
        "time": time_label(bucket.start, bucket_seconds, 2),
        "attacks": localized(bucket.attacks),
        "normal": localized(bucket.normal),
    }


def verdict_chart(
    buckets: Sequence[ChartBucket], bucket_seconds: int, layout: Layout = WIDE
) -> SafeString:
    """Stacked bars (normal below, attack above) per bucket, with axes.

    Each bar is a <g class="ids-bar"> with a <title> and data-start/-attacks/-normal, and a
    transparent full-height target, so a short bar is as easy to hover or tap as a tall one.
    """
    lay = layout
    plot_w, plot_h = lay.width - lay.left - lay.right, lay.height - lay.top - lay.bottom
    peak = _nice_max(max((b.total for b in buckets), default=0))
    n = max(len(buckets), 1)
    slot = plot_w / n
    bar = max(slot * 0.8, 1.0)
    span_days = n * bucket_seconds / 86400
    description = _(
        "%(total)s predictions (attacks %(attacks)s, normal %(normal)s) "
        "in %(bars)s bars of %(minutes)s minutes each."
    ) % {
        "total": localized(sum(b.total for b in buckets)),
        "attacks": localized(sum(b.attacks for b in buckets)),
        "normal": localized(sum(b.normal for b in buckets)),
        "bars": localized(len(buckets)),
        "minutes": localized(bucket_seconds // 60),
    }
    # direction="ltr": time runs left to right in every language, and text-anchor keeps
    # its meaning on a right-to-left page.
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'class="ids-chart ids-chart-{"wide" if lay is WIDE else "compact"}" role="img" '
        f'aria-label="{escape(_("Verdicts over time (UTC)"))}" direction="ltr" '
        f'font-family="sans-serif" font-size="{lay.font_size}">',
        f"<desc>{escape(description)}</desc>",
    ]
    for fraction in (0, 0.5, 1):
        y = lay.top + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{lay.left}" x2="{lay.width - lay.right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.2"/>'
            f'<text x="{lay.left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{escape(localized(round(peak * fraction)))}</text>"
        )
    label_every = max(1, -(-n // lay.time_labels))
    for i, b in enumerate(buckets):
        x = lay.left + i * slot + (slot - bar) / 2
        h_normal, h_attack = plot_h * b.normal / peak, plot_h * b.attacks / peak
        parts.append(
            f'<g class="ids-bar" data-start="{b.start.isoformat()}" '
            f'data-attacks="{b.attacks}" data-normal="{b.normal}">'
            f"<title>{escape(bar_summary(b, bucket_seconds))}</title>"
            f'<rect class="ids-bar-target" x="{lay.left + i * slot:.1f}" y="{lay.top}" '
            f'width="{slot:.1f}" height="{plot_h}" fill="transparent"/>'
        )
        if b.normal:
            parts.append(
                f'<rect x="{x:.1f}" y="{lay.top + plot_h - h_normal:.1f}" width="{bar:.1f}" '
                f'height="{h_normal:.1f}" fill="{NORMAL_COLOUR}"/>'
            )
        if b.attacks:
            parts.append(
                f'<rect x="{x:.1f}" y="{lay.top + plot_h - h_normal - h_attack:.1f}" '
                f'width="{bar:.1f}" height="{h_attack:.1f}" fill="{ATTACK_COLOUR}"/>'
            )
        parts.append("</g>")
        if i % label_every == 0:
            # A label near either edge ends (or starts) at its bar, inside the picture.
            centre = x + bar / 2
            if centre + lay.label_half_width > lay.width - lay.right:
                anchor = "end"
            elif centre - lay.label_half_width < lay.left - 6:
                anchor = "start"
            else:
                anchor = "middle"
            parts.append(
                f'<text x="{centre:.1f}" y="{lay.height - lay.bottom + lay.font_size + 6}" '
                f'text-anchor="{anchor}" fill="currentColor">'
                f"{escape(time_label(b.start, bucket_seconds, span_days))}</text>"
            )
    parts.append(
        f'<line x1="{lay.left}" x2="{lay.width - lay.right}" y1="{lay.top + plot_h}" '
        f'y2="{lay.top + plot_h}" stroke="currentColor"/></svg>'
    )
    return mark_safe("".join(parts))  # noqa: S308 -- built above; every text is escaped
