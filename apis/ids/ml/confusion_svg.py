"""Confusion matrices drawn as a self-contained SVG (no plotting dependency)."""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

CELL = 64
LEFT = 84  # room for row labels
TOP = 78  # room for the panel title and column labels
GAP = 48


def _shade(fraction: float) -> str:
    # White to dark blue by the share of the true class's rows in the cell.
    light, dark = (255, 255, 255), (8, 48, 107)
    rgb = (round(lo + (hi - lo) * fraction) for lo, hi in zip(light, dark, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _panel(
    title: str, matrix: Sequence[Sequence[int]], labels: Sequence[str], x0: int
) -> list[str]:
    n = len(labels)
    out = [
        f'<text x="{x0 + LEFT + n * CELL / 2}" y="20" text-anchor="middle" '
        f'font-weight="bold">{escape(title)}</text>',
        f'<text x="{x0 + LEFT + n * CELL / 2}" y="40" text-anchor="middle" '
        f'font-size="11">predicted →</text>',
    ]
    for j, label in enumerate(labels):
        out.append(
            f'<text x="{x0 + LEFT + j * CELL + CELL / 2}" y="{TOP - 8}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        y = TOP + i * CELL
        out.append(
            f'<text x="{x0 + LEFT - 8}" y="{y + CELL / 2 + 4}" '
            f'text-anchor="end">{escape(labels[i])}</text>'
        )
        for j, count in enumerate(row):
            fraction = count / total
            x = x0 + LEFT + j * CELL
            ink = "#ffffff" if fraction > 0.5 else "#000000"
            out.append(
                f'<rect x="{x}" y="{y}" width="{CELL}" height="{CELL}" fill="{_shade(fraction)}" '
                f'stroke="#999999"/>'
            )
            out.append(
                f'<text x="{x + CELL / 2}" y="{y + CELL / 2 + 4}" text-anchor="middle" '
                f'fill="{ink}">{count}</text>'
            )
    out.append(
        f'<text x="{x0 + 12}" y="{TOP + n * CELL / 2}" font-size="11" '
        f'transform="rotate(-90 {x0 + 12} {TOP + n * CELL / 2})" text-anchor="middle">true ↓</text>'
    )
    return out


def confusion_matrices_svg(
    panels: Sequence[tuple[str, Sequence[Sequence[int]]]], labels: Sequence[str], caption: str
) -> str:
    """One panel per (title, matrix); rows are true classes, columns predicted ones."""
    width_one = LEFT + len(labels) * CELL
    width = len(panels) * width_one + (len(panels) - 1) * GAP + 16
    height = TOP + len(labels) * CELL + 40
    body: list[str] = []
    for k, (title, matrix) in enumerate(panels):
        body += _panel(title, matrix, labels, k * (width_one + GAP))
    body.append(f'<text x="8" y="{height - 12}" font-size="11">{escape(caption)}</text>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="13">\n'
        '<rect width="100%" height="100%" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )
