"""Marking text a translated page still shows in its source language (cms.base.translation_sync).

In page templates:
    <p class="lead"{% untranslated_lang "intro" %}>{{ page.intro }}</p>
    {% for block in page.body %}{% untranslated_block block %}{% endfor %}
`untranslated_lang` adds ` lang="es" dir="ltr"` to an element when the field (or StreamField
block) it shows is untranslated; `untranslated_block` renders a block as `{% include_block %}`
does, inside a `lang` wrapper when it is untranslated. base.html shows the notice
(includes/untranslated_notice.html). In the admin, `sync_pending` feeds the sync form's warning.
"""

from dataclasses import dataclass
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language_info
from wagtail.models import Page
from wagtail_localize.models import TranslationSource

from cms.base.translation_sync import (
    PendingLanguage,
    Untranslated,
    pending_after_sync,
    shown_untranslated,
)

register = template.Library()


def _untranslated(context: template.Context) -> Untranslated | None:
    page = context.get("page")
    return shown_untranslated(page) if isinstance(page, Page) else None


@dataclass(frozen=True)
class UntranslatedNotice:
    code: str
    name: str  # the source language's name, in the visitor's language
    direction: str


@register.simple_tag(takes_context=True)
def untranslated_notice(context: template.Context) -> UntranslatedNotice | None:
    """For a translated page showing some source text: that text's language, else None."""
    untranslated = _untranslated(context)
    if untranslated is None:
        return None
    name = get_language_info(untranslated.code)["name_translated"]
    return UntranslatedNotice(untranslated.code, name, untranslated.direction)


def _covers(untranslated: Untranslated, part: Any) -> bool:
    if isinstance(part, str):  # a field name
        return untranslated.covers(part)
    block_id = getattr(part, "id", None)  # a StreamField child (StreamValue.StreamChild)
    return block_id is not None and str(block_id) in untranslated.block_ids


@register.simple_tag(takes_context=True)
def untranslated_lang(context: template.Context, part: Any) -> SafeString:
    """` lang="…" dir="…"` (the source language's) when `part`, a field name or a StreamField
    block of the page, shows untranslated text; else nothing."""
    untranslated = _untranslated(context)
    if untranslated is None or not _covers(untranslated, part):
        return SafeString("")
    return format_html(
        ' lang="{}" dir="{}" data-untranslated', untranslated.code, untranslated.direction
    )


@register.simple_tag(takes_context=True)
def untranslated_block(context: template.Context, block: Any) -> SafeString:
    """`{% include_block block %}`, wrapped in an element carrying the source's `lang` when the
    block shows untranslated text (a block template is shared by every page and cannot know)."""
    # As include_block does: the block's template gets the page's context.
    if hasattr(block, "render_as_block"):
        html = conditional_escape(block.render_as_block(context=context.flatten()))
    else:
        html = conditional_escape(block)
    attrs = untranslated_lang(context, block)
    if not attrs:
        return html
    return format_html('<div class="untranslated-part"{}>{}</div>', attrs, html)


@dataclass(frozen=True)
class SyncPending:
    code: str  # the source's language: the texts listed are in it
    direction: str
    languages: list[PendingLanguage]


@register.simple_tag
def sync_pending(source: TranslationSource) -> SyncPending:
    """The sync form's warning: per language, the texts that would go live untranslated."""
    info = get_language_info(source.locale.language_code)
    return SyncPending(info["code"], "rtl" if info["bidi"] else "ltr", pending_after_sync(source))
