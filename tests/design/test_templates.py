"""Public templates keep to the Content-Security-Policy and reference only files we ship."""

import re
import xml.dom.minidom
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation

from cms.base.templatetags.croody_assets import theme_attributes

REPO = Path(__file__).resolve().parents[2]
CMS = REPO / "cms"
STATIC = CMS / "static" / "croody"


def public_templates() -> list[Path]:
    """Every site template; the admin's and e-mails' are not served to visitors."""
    found = sorted(CMS.glob("templates/**/*.html")) + sorted(CMS.glob("*/templates/**/*.html"))
    return [path for path in found if "/admin/" not in path.as_posix()]


CHROME = [
    CMS / "templates/base.html",
    *sorted((CMS / "templates/includes").glob("*.html")),
]


def test_there_are_templates_to_check():
    names = {path.name for path in public_templates()}
    assert {"base.html", "language_selector.html", "footer.html", "404.html"} <= names


@pytest.mark.parametrize("path", public_templates(), ids=lambda path: path.name)
def test_no_inline_styles(path):
    html = path.read_text(encoding="utf-8")
    assert not re.search(r"\sstyle\s*=", html, re.I), f"{path}: style attribute"
    assert not re.search(r"<style[\s>]", html, re.I), f"{path}: <style> element"


@pytest.mark.parametrize("path", public_templates(), ids=lambda path: path.name)
def test_no_inline_scripts_without_nonce(path):
    """Scripts load from our files; an inline one needs the request's nonce."""
    html = path.read_text(encoding="utf-8")
    for tag in re.findall(r"<script\b[^>]*>", html, re.I):
        assert "src=" in tag or "csp_nonce" in tag, f"{path}: inline {tag}"
    assert not re.search(r"\son[a-z]+\s*=\s*[\"']", html), f"{path}: inline event handler"


def referenced_static_files() -> set[str]:
    names = set()
    for path in [*CHROME, CMS / "templates/500.html", CMS / "templates/styleguide.html"]:
        names |= set(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", path.read_text()))
    names.add("croody/img/icons.svg")  # the {% icon %} tag's sprite
    return names


def test_base_references_the_design_system():
    names = referenced_static_files()
    for name in ("tokens.css", "base.css", "components.css", "animations.css"):
        assert f"croody/css/{name}" in names
    for name in ("theme.js", "navigation.js", "language-selector.js", "search.js"):
        assert f"croody/js/{name}" in names


@pytest.mark.parametrize("name", sorted(referenced_static_files()))
def test_every_static_file_referenced_exists(name):
    assert finders.find(name), f"{name} is referenced by a template but not shipped"


@pytest.mark.parametrize("css", sorted(STATIC.glob("css/*.css")), ids=lambda path: path.name)
def test_css_urls_point_at_files_we_ship(css):
    text = css.read_text(encoding="utf-8")
    for url in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", text):
        if url.startswith("data:"):
            continue
        assert not re.match(r"^[a-z]+:|^//", url), f"{css.name}: external {url}"
        assert (css.parent / url.split("#")[0]).resolve().exists(), f"{css.name}: {url}"


@pytest.mark.parametrize("svg", sorted(STATIC.glob("img/*.svg")), ids=lambda path: path.name)
def test_svg_files_are_well_formed(svg):
    """A sprite that does not parse shows no icon at all (e.g. '--' inside a comment)."""
    xml.dom.minidom.parse(str(svg))  # noqa: S318 - our own files


def test_fonts_are_ours_and_licensed():
    fonts = sorted((STATIC / "fonts").glob("*.woff2"))
    assert fonts, "no self-hosted fonts"
    assert sum(font.stat().st_size for font in fonts) < 100_000
    assert (STATIC / "fonts/Figtree-OFL.txt").exists()


def test_boot_script_hash_in_the_csp_matches_the_file_the_tag_inlines():
    import base64
    import hashlib

    code = settings.THEME_BOOT_SCRIPT.read_bytes()
    digest = base64.b64encode(hashlib.sha256(code).digest()).decode()
    expected = f"'sha256-{digest}'"
    assert expected == settings.THEME_BOOT_SCRIPT_HASH
    script_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    assert settings.THEME_BOOT_SCRIPT_HASH in script_src
    assert len(code) < 2048, "the boot script should stay tiny"


def render_base(**context) -> str:
    with translation.override("es"):
        return render_to_string("styleguide.html", {"request": None, **context})


def test_rendered_page_inlines_exactly_the_hashed_boot_script():
    html = render_base()
    code = settings.THEME_BOOT_SCRIPT.read_text(encoding="utf-8")
    assert f"<script>{code}</script>" in html
    inline = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert inline == [code], "only the boot script may be inline"
    assert not re.search(r"\sstyle\s*=", html)


def test_html_gets_default_theme_for_anonymous_and_saved_one_for_users():
    html = render_base(croody_prefs=None)
    # Anonymous pages carry no theme (the boot script applies the stored one), so they can
    # be cached and <html> keeps just lang and dir.
    assert '<html lang="es" dir="ltr">' in html
    assert "data-theme" not in html.split("<head>")[0]
    assert '<meta name="color-scheme" content="light dark">' in html
    html = render_base(croody_prefs={"theme": "dark", "palette": "sand"})
    assert 'data-theme="dark" data-palette="sand" data-prefs="user"' in html
    assert '<meta name="color-scheme" content="dark">' in html


def test_theme_attributes_ignore_unknown_values():
    attributes = theme_attributes({"theme": "neon", "palette": "<script>"})
    assert attributes["theme"] == "system" and attributes["palette"] == "gator"
    assert attributes["from_user"] is False


def test_page_chrome_has_landmarks_skip_link_and_language_form():
    html = render_base()
    assert re.search(r'<a class="skip-link" href="#main">', html)
    assert '<main id="main"' in html
    assert re.search(r"<header[^>]*>", html) and re.search(r"<footer[^>]*>", html)
    assert re.search(r'<nav class="site-nav" aria-label="[^"]+"', html)
    assert html.count("<h1") == 1
    assert 'action="/language/" method="post"' in html
    for code, _name in settings.LANGUAGES:
        assert f'name="language" value="{code}"' in html
    assert 'aria-controls="site-menu"' in html and 'id="site-menu"' in html


def accounts_urls() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("accounts:logout")
    except NoReverseMatch:
        return False
    return True


def test_account_links_for_visitors_and_signed_in_users():
    from types import SimpleNamespace

    visitor = render_base(user=SimpleNamespace(is_authenticated=False))
    member = render_base(user=SimpleNamespace(is_authenticated=True))
    assert 'method="post" action="/es/account/logout/"' not in visitor
    if not accounts_urls():  # the header must render before the accounts app exists
        assert 'class="account-links"' in visitor
        return
    assert 'href="/es/account/login/"' in visitor and 'href="/es/account/signup/"' in visitor
    assert 'method="post" action="/es/account/logout/"' in member
    assert 'href="/es/account/login/"' not in member
