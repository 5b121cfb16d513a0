"""Links between the language versions of the page being shown."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale, Page

from cms.base.localization import live_translations, untranslated_original

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language, so a reader of that language recognises it
    current: bool
    translated: bool  # False: this page has no translation in that language yet


def _shown_page(context: template.Context) -> Page | None:
    page = context.get("page")
    return page if isinstance(page, Page) else None


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """Every language, marking those the page shown is not translated into yet.

    Pages that are not Wagtail pages (sign-in, profile…) are made of interface strings only,
    which every language has."""
    current = get_language()
    page = _shown_page(context)
    translated = set(live_translations(page)) if page is not None else None
    return [
        LanguageLink(
            code,
            get_language_info(code)["name_local"],
            code == current,
            translated is None or code in translated,
        )
        for code, _name in settings.LANGUAGES
    ]


@dataclass(frozen=True)
class ShownInstead:
    """The language a page not yet translated is shown in (its Spanish original's)."""

    code: str
    name: str  # in the visitor's language
    direction: str  # "ltr" or "rtl"


@register.simple_tag(takes_context=True)
def shown_instead(context: template.Context) -> ShownInstead | None:
    """For an alias standing in for a missing translation: the original's language."""
    page = _shown_page(context)
    original = untranslated_original(page) if page is not None else None
    if original is None:
        return None
    info = get_language_info(original.locale.language_code)
    return ShownInstead(info["code"], info["name_translated"], "rtl" if info["bidi"] else "ltr")


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """The page's own URL, or the original's for an alias: the same text has one address."""
    page = _shown_page(context)
    if page is None:
        return ""
    original = untranslated_original(page)
    return (original or page).get_full_url(context.get("request")) or ""


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString:
    """<link rel="alternate" hreflang> for every real translation, plus x-default (Spanish)."""
    request = context.get("request")
    page = _shown_page(context)
    if page is None or request is None:
        return SafeString("")
    absolute = {
        code: request.build_absolute_uri(version.url)
        for code, version in live_translations(page).items()
        if version.url
    }
    if not absolute:
        return SafeString("")
    links = format_html_join(
        "\n", '<link rel="alternate" hreflang="{}" href="{}">', sorted(absolute.items())
    )
    default = absolute.get(Locale.get_default().language_code)
    if default:
        links += format_html('\n<link rel="alternate" hreflang="x-default" href="{}">', default)
    return links
