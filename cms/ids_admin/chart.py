"""Verdicts over time as an SVG bar chart, drawn on the server (no script, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class ChartBucket:
    """One bar: the bucket's start, its predictions, their count per verdict."""

    start_ms: int
    total: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)


NORMAL_COLOUR = "#7d8f99"
ATTACK_COLOUR = "#c62828"
WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 28, 40
LABEL_HALF_WIDTH = 36  # about half of "11-28 13:15" at 11px


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


def _label(start_ms: int, bucket_seconds: int, span_days: float) -> str:
    moment = datetime.fromtimestamp(start_ms / 1000, tz=UTC)
    if bucket_seconds >= 86400:
        return moment.strftime("%Y-%m-%d")
    return moment.strftime("%m-%d %H:%M" if span_days > 1 else "%H:%M")


def verdict_chart(buckets: Sequence[ChartBucket], bucket_seconds: int) -> SafeString:
    """Stacked bars (normal below, attack above) per bucket, with axes and a legend.

    Each bar carries a <title>, which browsers show as a tooltip.
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    peak = _nice_max(max((b.total for b in buckets), default=0))
    n = max(len(buckets), 1)
    slot = plot_w / n
    bar = max(slot * 0.8, 1.0)
    span_days = n * bucket_seconds / 86400
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'class="ids-chart" role="img" aria-labelledby="ids-chart-title ids-chart-desc" '
        'font-family="sans-serif" font-size="11">',
        '<title id="ids-chart-title">Verdicts over time (UTC)</title>',
        f'<desc id="ids-chart-desc">{sum(b.total for b in buckets)} predictions: '
        f"{sum(b.verdicts.get('attack', 0) for b in buckets)} attacks, "
        f"{sum(b.verdicts.get('normal', 0) for b in buckets)} normal, "
        f"in {len(buckets)} buckets of {bucket_seconds // 60} minutes.</desc>",
    ]
    for fraction in (0, 0.5, 1):
        y = TOP + plot_h * (1 - fraction)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="currentColor" stroke-opacity="0.2"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="currentColor">'
            f"{round(peak * fraction)}</text>"
        )
    label_every = max(1, n // 6)
    for i, b in enumerate(buckets):
        x = LEFT + i * slot + (slot - bar) / 2
        normal, attack = b.verdicts.get("normal", 0), b.verdicts.get("attack", 0)
        h_normal, h_attack = plot_h * normal / peak, plot_h * attack / peak
        tip = escape(
            f"{_label(b.start_ms, bucket_seconds, 2)} UTC: {attack} attack, {normal} normal"
        )
        parts.append(f"<g><title>{tip}</title>")
        if normal:
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h_normal:.1f}" width="{bar:.1f}" '
                f'height="{h_normal:.1f}" fill="{NORMAL_COLOUR}"/>'
            )
        if attack:
            parts.append(
                f'<rect x="{x:.1f}" y="{TOP + plot_h - h_normal - h_attack:.1f}" '
                f'width="{bar:.1f}" height="{h_attack:.1f}" fill="{ATTACK_COLOUR}"/>'
            )
        parts.append("</g>")
        if i % label_every == 0:
            # A label near the right edge ends at its bar, so it stays inside the picture.
            centre = x + bar / 2
            anchor = "end" if centre + LABEL_HALF_WIDTH > WIDTH - RIGHT else "middle"
            parts.append(
                f'<text x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="{anchor}" '
                f'fill="currentColor">{escape(_label(b.start_ms, bucket_seconds, span_days))}'
                "</text>"
            )
    parts.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="currentColor"/>'
        f'<rect x="{LEFT}" y="6" width="10" height="10" fill="{ATTACK_COLOUR}"/>'
        f'<text x="{LEFT + 14}" y="15" fill="currentColor">attack</text>'
        f'<rect x="{LEFT + 70}" y="6" width="10" height="10" fill="{NORMAL_COLOUR}"/>'
        f'<text x="{LEFT + 84}" y="15" fill="currentColor">normal</text>'
        "</svg>"
    )
    return mark_safe("".join(parts))  # noqa: S308 -- built above; every text is escaped
