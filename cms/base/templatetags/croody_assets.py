"""Template tags for the design system: the theme boot script, theme attributes, icons.

The boot script is inlined (it must run before the first paint) and allowed by its sha256
hash, which settings compute from the same file (THEME_BOOT_SCRIPT, THEME_BOOT_SCRIPT_HASH).
A hash rather than a per-request nonce keeps whole pages cacheable.
"""

from functools import cache
from pathlib import Path
from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

THEMES = ("light", "dark", "system")
PALETTES = ("gator", "jungle", "sand", "crimson")
DEFAULT_THEME = "system"
DEFAULT_PALETTE = "gator"


@cache
def _boot_script(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


@register.simple_tag
def theme_boot_script() -> SafeString:
    """<script> with the boot script's exact bytes: its hash is in script-src."""
    code = _boot_script(str(settings.THEME_BOOT_SCRIPT))
    if "</" in code:  # would end the element early; the file is ours, so fail loudly
        raise ValueError("the theme boot script must not contain '</'")
    return mark_safe(f"<script>{code}</script>")  # noqa: S308 - our own static file


@register.simple_tag
def theme_attributes(prefs: object = None) -> dict[str, object]:
    """What <html> gets: the signed-in user's theme and palette, or the defaults.

    `prefs` is the `croody_prefs` context variable ({"theme": …, "palette": …} or None).
    Anonymous pages are always rendered with the defaults, so they can be cached; the boot
    script then applies the visitor's stored choice before the first paint.
    """
    theme, palette, from_user = DEFAULT_THEME, DEFAULT_PALETTE, False
    if isinstance(prefs, dict):
        if prefs.get("theme") in THEMES:
            theme, from_user = prefs["theme"], True
        if prefs.get("palette") in PALETTES:
            palette, from_user = prefs["palette"], True
    color_scheme = {"light": "light", "dark": "dark"}.get(theme, "light dark")
    return {
        "theme": theme,
        "palette": palette,
        "from_user": from_user,
        "color_scheme": color_scheme,
    }


@register.simple_tag
def icon(name: str, css_class: str = "") -> SafeString:
    """An interface icon from img/icons.svg, hidden from assistive technology."""
    classes = f"icon {css_class}".strip()
    return format_html(
        '<svg class="{}" aria-hidden="true" focusable="false"><use href="{}#{}"></use></svg>',
        classes,
        static("croody/img/icons.svg"),
        name,
    )


@register.simple_tag(takes_context=True)
def nav_current(context: template.Context, href: object) -> str:
    """aria-current for a navigation link: "page" on it, "true" inside its section."""
    request = context.get("request")
    if request is None or not href:
        return ""
    href, path = str(href), request.path
    if path == href:
        return "page"
    is_language_home = href.strip("/").count("/") == 0  # "/es/" would match every page
    if not is_language_home and href.endswith("/") and path.startswith(href):
        return "true"
    return ""


@register.filter
def platform_name(code: object) -> str:
    """A social platform's name as written by its owner ("youtube" -> "YouTube")."""
    from cms.base.blocks import SOCIAL_PLATFORMS

    return dict(SOCIAL_PLATFORMS).get(str(code), str(code).capitalize())


@register.simple_tag
def page_numbers(page_obj: Any, on_each_side: int = 2, on_ends: int = 1) -> list[object]:
    """Page numbers around the current one, with the paginator's ellipsis ("…") between."""
    paginator = getattr(page_obj, "paginator", None)
    if paginator is None:
        return []
    return list(
        paginator.get_elided_page_range(page_obj.number, on_each_side=on_each_side, on_ends=on_ends)
    )


@register.simple_tag(takes_context=True)
def first_set(context: template.Context, *names: str) -> object:
    """The first of these context variables (dotted paths allowed) that is set and not empty.

    {% first_set "footer_links" "site_footer.links" as links %}: a view's own list wins over
    the editors' snippet, and a missing variable is simply skipped.
    """
    for name in names:
        try:
            value = template.Variable(name).resolve(context)
        except (template.VariableDoesNotExist, AttributeError):
            continue
        if value:
            return value
    return None
