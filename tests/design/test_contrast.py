"""WCAG 2.2 AA contrast for every palette and theme, computed from the hex values in tokens.css.

Each palette token is written `--color-name: light-dark(#LIGHT, #DARK);`; the test picks the
half for each theme and checks the pairs a page shows: text and links on every background
they sit on (4.5:1), button text on button backgrounds (4.5:1), and the things that only
need 3:1 (focus ring, input borders: WCAG 1.4.11).
"""

import re
from pathlib import Path

import pytest

TOKENS = Path(__file__).resolve().parents[2] / "cms/static/croody/css/tokens.css"
PALETTES = ("gator", "jungle", "sand", "crimson")
THEMES = ("light", "dark")

TOKEN = re.compile(
    r"--(color-[a-z0-9-]+)\s*:\s*light-dark\(\s*(#[0-9a-fA-F]{6})\s*,\s*(#[0-9a-fA-F]{6})\s*\)"
)
BLOCK = re.compile(r"([^{}]+)\{([^{}]*)\}")

TEXT, NON_TEXT = 4.5, 3.0

# (foreground, backgrounds it appears on, minimum ratio)
PAIRS = [
    ("color-text", ["color-bg", "color-surface", "color-surface-2", "color-primary-soft"], TEXT),
    ("color-text-muted", ["color-bg", "color-surface", "color-surface-2"], TEXT),
    ("color-link", ["color-bg", "color-surface", "color-surface-2", "color-primary-soft"], TEXT),
    ("color-on-primary", ["color-primary", "color-primary-hover"], TEXT),
    ("color-on-danger", ["color-danger"], TEXT),
    ("color-error-text", ["color-bg", "color-surface", "color-surface-2"], TEXT),
    ("color-focus", ["color-bg", "color-surface", "color-surface-2"], NON_TEXT),
    ("color-border-strong", ["color-bg", "color-surface"], NON_TEXT),
    ("color-primary", ["color-bg", "color-surface"], NON_TEXT),
] + [
    (f"color-{status}-text", [f"color-{status}-bg"], TEXT)
    for status in ("success", "error", "info", "warning")
]


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def parse_tokens() -> dict[str, dict[str, tuple[str, str]]]:
    """Selector group -> token -> (light, dark). 'root' holds the shared tokens."""
    css = re.sub(r"/\*.*?\*/", "", TOKENS.read_text(encoding="utf-8"), flags=re.S)
    groups: dict[str, dict[str, tuple[str, str]]] = {}
    for selector, body in BLOCK.findall(css):
        tokens = {name: (light, dark) for name, light, dark in TOKEN.findall(body)}
        if not tokens:
            continue
        palettes = re.findall(r'\[data-palette="([a-z]+)"\]', selector)
        for key in palettes or (["root"] if selector.strip() == ":root" else []):
            groups.setdefault(key, {}).update(tokens)
    return groups


def colours(palette: str, theme: str) -> dict[str, str]:
    groups = parse_tokens()
    merged = {**groups["root"], **groups[palette]}
    index = THEMES.index(theme)
    return {name: pair[index] for name, pair in merged.items()}


def test_every_palette_defines_the_same_colour_tokens():
    groups = parse_tokens()
    assert set(PALETTES) <= set(groups), f"palettes found: {sorted(groups)}"
    expected = set(groups["gator"])
    assert len(expected) >= 14
    for palette in PALETTES:
        assert set(groups[palette]) == expected, palette


def test_the_default_palette_is_gator():
    css = TOKENS.read_text(encoding="utf-8")
    assert re.search(r':root,\s*\[data-palette="gator"\]\s*\{', css)


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_contrast_meets_wcag_aa(palette, theme):
    values = colours(palette, theme)
    failures = []
    for foreground, backgrounds, minimum in PAIRS:
        for background in backgrounds:
            ratio = contrast(values[foreground], values[background])
            if ratio < minimum:
                failures.append(
                    f"{foreground} {values[foreground]} on {background} {values[background]}: "
                    f"{ratio:.2f} < {minimum}"
                )
    assert not failures, f"{palette}/{theme}:\n" + "\n".join(failures)


def test_contrast_formula_matches_wcag_examples():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


COMPONENTS = TOKENS.with_name("components.css")
GLOW = re.compile(
    r"radial-gradient\([^;]*?color-mix\(in oklab, var\(--(color-[a-z-]+)\) (\d+)%, transparent\)"
)


def blend(base: str, colour: str, alpha: float) -> str:
    """`colour` at `alpha` painted over `base` (what a translucent glow does)."""
    channels = [
        round(int(base[i : i + 2], 16) * (1 - alpha) + int(colour[i : i + 2], 16) * alpha)
        for i in (1, 3, 5)
    ]
    return "#" + "".join(f"{channel:02x}" for channel in channels)


def glows() -> dict[str, float]:
    """The strongest translucent glow of each colour the components paint behind text."""
    strongest: dict[str, float] = {}
    for name, percent in GLOW.findall(COMPONENTS.read_text(encoding="utf-8")):
        strongest[name] = max(strongest.get(name, 0.0), int(percent) / 100)
    return strongest


def test_glows_are_found():
    assert set(glows()) >= {"color-primary", "color-accent"}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("palette", PALETTES)
def test_text_stays_readable_on_the_decorative_glows(palette, theme):
    """The hero and call-to-action glows sit behind text: at their strongest, over the
    lightest/darkest surface they start from, muted text and links keep 4.5:1."""
    values = colours(palette, theme)
    failures = []
    for glow, alpha in glows().items():
        for surface in ("color-bg", "color-surface-2", "color-primary-soft"):
            background = blend(values[surface], values[glow], alpha)
            foregrounds = (
                ["color-text"]
                if surface == "color-primary-soft"
                else ["color-text", "color-text-muted", "color-link"]
            )
            for foreground in foregrounds:
                ratio = contrast(values[foreground], background)
                if ratio < TEXT:
                    failures.append(f"{foreground} on {surface}+{glow} {alpha:.0%}: {ratio:.2f}")
    assert not failures, f"{palette}/{theme}:\n" + "\n".join(failures)
