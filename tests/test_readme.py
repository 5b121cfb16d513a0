"""The README is a landing page, and what it and docs/ point at exists.

- README.md stays under 10 KB (the rest lives in docs/);
- every relative link in README.md and docs/*.md resolves to a file (and, with a #fragment,
  to a heading of that file);
- every code-formatted name in the README's "Layout" section is a path in the repository
  (a trailing "/" means a directory);
- docs/README.md, the index, links every page in docs/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.md"
DOCS = REPO / "docs"
MAX_README_BYTES = 10_000

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def markdown_pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def without_code(text: str) -> str:
    """The text with fenced blocks and code spans blanked: links in code are not links."""
    return CODE_SPAN.sub(" ", FENCE.sub(" ", text))


def relative_links(text: str) -> list[str]:
    targets = []
    for target in LINK.findall(without_code(text)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # https:, mailto:
            continue
        targets.append(target)
    return targets


def heading_anchors(text: str) -> set[str]:
    """GitHub's anchors: lowercase, punctuation dropped, spaces to hyphens, -1, -2 for repeats."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", text), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        candidate, n = slug, 0
        while candidate in anchors:
            n += 1
            candidate = f"{slug}-{n}"
        anchors.add(candidate)
    return anchors


def broken_links(page: Path) -> list[str]:
    broken = []
    for target in relative_links(page.read_text()):
        path_part, _, fragment = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.exists():
            broken.append(f"{target} (no such file)")
        elif (
            fragment
            and resolved.suffix == ".md"
            and fragment.lower() not in heading_anchors(resolved.read_text())
        ):
            broken.append(f"{target} (no heading #{fragment} in {resolved.name})")
    return broken


def section(text: str, title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def layout_paths(text: str) -> list[str]:
    """The code-formatted names of the Layout section, in order."""
    return [span.strip() for _, span in CODE_SPAN.findall(section(text, "Layout"))]


def missing_paths(names: list[str], root: Path) -> list[str]:
    missing = []
    for name in names:
        path = root / name
        if not (path.is_dir() if name.endswith("/") else path.is_file()):
            missing.append(name)
    return missing


def test_readme_is_a_landing_page_under_10_kb():
    size = len(README.read_bytes())
    assert size < MAX_README_BYTES, (
        f"README.md is {size} bytes; keep it under {MAX_README_BYTES} and move detail to docs/"
    )


@pytest.mark.parametrize("page", markdown_pages(), ids=lambda page: str(page.relative_to(REPO)))
def test_relative_links_resolve(page: Path):
    assert not broken_links(page), f"{page.relative_to(REPO)}: broken links {broken_links(page)}"


def test_every_path_in_the_readme_layout_exists():
    names = layout_paths(README.read_text())
    assert len(names) >= 20, f"the Layout section names too few paths to be the layout: {names}"
    assert not missing_paths(names, REPO), (
        f"README.md's Layout names paths that do not exist: {missing_paths(names, REPO)}"
    )


def test_layout_check_catches_a_missing_path(tmp_path: Path):
    (tmp_path / "cms").mkdir()
    (tmp_path / "gateway.py").write_text("")
    text = (
        "# X\n\n## Layout\n\n- `cms/`, `gateway.py`, `cms/gone/`, `gateway.py/`\n\n## Next\n`no/`\n"
    )
    names = layout_paths(text)
    assert names == ["cms/", "gateway.py", "cms/gone/", "gateway.py/"]
    assert missing_paths(names, tmp_path) == ["cms/gone/", "gateway.py/"]


def test_link_check_catches_a_broken_link(tmp_path: Path):
    (tmp_path / "there.md").write_text("# There\n\n## A heading\n")
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok](there.md#a-heading) [web](https://example.com) `[no](code.md)`\n"
        "[gone](missing.md) [bad anchor](there.md#nowhere)\n```\n[no](fenced.md)\n```\n"
    )
    assert broken_links(page) == [
        "missing.md (no such file)",
        "there.md#nowhere (no heading #nowhere in there.md)",
    ]


def test_docs_index_links_every_page():
    linked = {
        Path(target.partition("#")[0]).name
        for target in relative_links((DOCS / "README.md").read_text())
    }
    pages = {page.name for page in DOCS.glob("*.md")} - {"README.md"}
    assert not pages - linked, f"docs/README.md does not link {sorted(pages - linked)}"
