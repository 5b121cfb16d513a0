"""The CSS lays out right-to-left by itself: logical properties, not left/right.

A physical property is allowed on a line whose comment says "physical" and why.
"""

import re
from pathlib import Path

import pytest

CSS_DIR = Path(__file__).resolve().parents[2] / "cms/static/croody/css"
STYLESHEETS = sorted(CSS_DIR.glob("*.css"))

PHYSICAL = [
    (
        re.compile(
            r"(?<![-\w])(margin|padding|border|scroll-margin|scroll-padding)-(left|right)\b"
        ),
        "use *-inline-start / *-inline-end",
    ),
    (
        re.compile(r"(?<![-\w])border-(top|bottom)-(left|right)-radius\b"),
        "use border-start-start-radius and friends",
    ),
    (re.compile(r"(?<![-\w])(left|right)\s*:"), "use inset-inline-start / inset-inline-end"),
    (re.compile(r"(?<![-\w])text-align\s*:\s*(left|right)\b"), "use text-align: start / end"),
    (re.compile(r"(?<![-\w])(float|clear)\s*:\s*(left|right)\b"), "use inline-start / inline-end"),
]
# Four-value shorthands whose left and right differ are physical too.
SHORTHAND = re.compile(r"(?<![-\w])(margin|padding|inset|border-width)\s*:\s*([^;{}]+);")


def lines(path: Path):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        code = re.sub(r"/\*.*?\*/", "", line)
        yield number, line, code


def test_there_are_stylesheets():
    assert {path.name for path in STYLESHEETS} >= {
        "tokens.css",
        "base.css",
        "components.css",
        "animations.css",
    }
    assert not (CSS_DIR / "site.css").exists(), "site.css was replaced by the design system"


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_only_logical_properties(path):
    problems = []
    for number, line, code in lines(path):
        if "physical" in line.lower():
            continue
        for pattern, advice in PHYSICAL:
            if pattern.search(code):
                problems.append(f"{path.name}:{number}: {line.strip()}  ({advice})")
        for match in SHORTHAND.finditer(code):
            values = match.group(2).split()
            if len(values) == 4 and values[1] != values[3]:
                problems.append(f"{path.name}:{number}: {line.strip()}  (left and right differ)")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_nothing_is_loaded_from_elsewhere(path):
    text = path.read_text(encoding="utf-8")
    assert "@import" not in text, "@import chains requests; link each stylesheet"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)


def test_animations_respect_reduced_motion():
    css = (CSS_DIR / "animations.css").read_text(encoding="utf-8")
    assert "@media (prefers-reduced-motion: no-preference)" in css
    assert "@media (prefers-reduced-motion: reduce)" in css
    for path in STYLESHEETS:
        if path.name == "animations.css":
            continue
        text = re.sub(r"/\*.*?\*/", "", path.read_text(encoding="utf-8"), flags=re.S)
        assert not re.search(r"(?<![-\w])(animation|transition)\s*:", text), (
            f"{path.name}: motion belongs in animations.css"
        )


def test_tokens_follow_the_golden_ratio():
    css = (CSS_DIR / "tokens.css").read_text(encoding="utf-8")
    phi = 1.618
    steps = {int(n): float(v) for n, v in re.findall(r"--step-(-?\d+):\s*([\d.]+)rem", css)}
    for n, value in steps.items():
        assert value == pytest.approx(phi ** (n / 2), rel=0.005), f"--step-{n}"
    names = ["3xs", "2xs", "xs", "s", "m", "l", "xl", "2xl"]
    space = dict(re.findall(r"--space-([0-9a-z]+):\s*([\d.]+)rem", css))
    for power, name in enumerate(names, start=-3):
        assert float(space[name]) == pytest.approx(phi**power, rel=0.005), f"--space-{name}"
