"""Links between the language versions of the page being shown."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from wagtail.models import Page

from cms.base.language_switch import carried_query, switch_params
from cms.base.locales import default_locale, localized
from cms.base.localization import live_translations, untranslated_original
from cms.base.site_url import absolute_url

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


@register.simple_tag(takes_context=True)
def language_switch_query(context: template.Context) -> str:
    """The part of the query string the language selector carries to the other languages.

    Safe in cached pages: the page cache keys pages by path and query string
    (cms.pagecache.store.Variant), so this depends only on the URL, never on the visitor."""
    page = _shown_page(context)
    request = context.get("request")
    if page is None or request is None:
        return ""
    return carried_query(request.META.get("QUERY_STRING", ""), switch_params(page))


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


@register.filter
def localized_url(page: Page) -> str:
    """`page.localized.url` without a query for the active Locale (cms.base.locales)."""
    return localized(page).url or ""


@register.simple_tag(takes_context=True)
def canonical_url(context: template.Context) -> str:
    """The page's own URL, or the original's for an alias: the same text has one address."""
    page = _shown_page(context)
    if page is None:
        return ""
    original = untranslated_original(page)
    return (original or page).get_full_url(context.get("request")) or ""


@register.simple_tag(takes_context=True)
def site_absolute_url(context: template.Context, url: str) -> str:
    """`url` made absolute on the page's Site (SITE_URL), not on the request's Host header;
    a URL that is absolute already (files on S3 or a CDN) is kept."""
    page = _shown_page(context)
    return absolute_url(url, page.get_site() if page is not None else None)


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString:
    """<link rel="alternate" hreflang> for every real translation, plus x-default (Spanish)."""
    request = context.get("request")
    page = _shown_page(context)
    if page is None or request is None:
        return SafeString("")
    # From the Site (SITE_URL), like canonical_url: never the request's Host header.
    absolute = {
        code: url
        for code, version in live_translations(page).items()
        if (url := version.get_full_url(request))
    }
    if not absolute:
        return SafeString("")
    links = format_html_join(
        "\n", '<link rel="alternate" hreflang="{}" href="{}">', sorted(absolute.items())
    )
    default = absolute.get(default_locale().language_code)
    if default:
        links += format_html('\n<link rel="alternate" hreflang="x-default" href="{}">', default)
    return links
