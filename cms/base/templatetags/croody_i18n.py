"""Links between the language versions of the page being shown."""

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from wagtail.models import Locale, Page

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language, so a reader of that language recognises it
    current: bool


def _translations_by_language(page: Page | None) -> dict[str, str]:
    """URL of each live language version of `page` (itself included), keyed by language code."""
    if page is None or not isinstance(page, Page):
        return {}
    versions = page.get_translations(inclusive=True).live().select_related("locale")
    return {version.locale.language_code: version.url for version in versions if version.url}


@register.simple_tag
def language_links() -> list[LanguageLink]:
    current = get_language()
    return [
        LanguageLink(code, get_language_info(code)["name_local"], code == current)
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> SafeString:
    """<link rel="alternate" hreflang> for every translation, plus x-default (Spanish)."""
    request = context.get("request")
    urls = _translations_by_language(context.get("page"))
    if not urls or request is None:
        return SafeString("")
    absolute = {code: request.build_absolute_uri(url) for code, url in urls.items()}
    links = format_html_join(
        "\n", '<link rel="alternate" hreflang="{}" href="{}">', sorted(absolute.items())
    )
    default = absolute.get(Locale.get_default().language_code)
    if default:
        links += format_html('\n<link rel="alternate" hreflang="x-default" href="{}">', default)
    return links
