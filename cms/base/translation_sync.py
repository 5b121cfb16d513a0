"""Text a wagtail-localize translation shows in its source language, before and after a sync.

wagtail-localize's "Sync translated pages" with "Publish immediately" publishes every
translation at once and, where a text has no translation yet, keeps the source (Spanish)
text (`Translation.save_target` → `create_or_update_translation(fallback=True)`). Two views
of that, built on wagtail-localize's own records:

- `pending_after_sync`: for the sync form, per target language, the source texts that would
  go live untranslated if the editor published now (the source as it is in the database,
  which is what the sync extracts, against the translations that exist).
- `shown_untranslated`: for a live translated page, the content paths (`intro`,
  `body.<block id>`…) whose text is source text nobody translated, so templates mark them
  with the source's `lang`. Decided from the page's own content, not from the translation
  records alone: a translation saved but not yet published leaves the page in Spanish, and a
  sync without publishing leaves the old translated text live.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.db import models
from django.utils.translation import get_language_info
from wagtail.models import Locale, Page
from wagtail_localize.models import String, StringTranslation, Translation, TranslationSource
from wagtail_localize.segments import StringSegmentValue
from wagtail_localize.segments.extract import extract_segments
from wagtail_localize.strings import StringValue

# Path of the slug segment: translators may keep it, and visitors never read it as text.
SLUG_PATH = "slug"


@dataclass(frozen=True)
class Segment:
    path: str  # wagtail-localize's content path: "intro", "body.<block id>", "body.<id>.text"
    text: str  # the segment's string as wagtail-localize stores it (inline HTML for rich text)


def _string_segments(instance: models.Model) -> list[Segment]:
    """The instance's translatable texts, extracted the way wagtail-localize extracts them
    (which keeps empty fields, such as a blank SEO title: nothing to read, so left out)."""
    return [
        Segment(value.path, value.string.data)
        for value in extract_segments(instance)
        if isinstance(value, StringSegmentValue)
        and value.path != SLUG_PATH
        and value.string.data.strip()
    ]


def _translations(translation_key: object, locale: Locale) -> models.QuerySet[StringTranslation]:
    """The usable string translations of an object into `locale` (wagtail-localize ignores the
    ones with errors when it saves a target)."""
    return StringTranslation.objects.filter(
        locale=locale, context__object_id=translation_key, has_error=False
    )


# The sync form -------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingLanguage:
    """One target language of a sync and the source texts it has no translation for."""

    locale: Locale
    texts: list[str]  # plain text, in the source's language, in page order, no repeats


def pending_after_sync(source: TranslationSource) -> list[PendingLanguage]:
    """The target languages where a sync published now would show source-language text, each
    with those texts (languages with every text translated are left out)."""
    segments = _string_segments(source.get_source_instance())
    pending = []
    for translation in (
        Translation.objects.filter(source=source, enabled=True)
        .select_related("target_locale")
        .order_by("target_locale__language_code")
    ):
        translated = set(
            _translations(source.object_id, translation.target_locale).values_list(
                "context__path", "translation_of__data"
            )
        )
        texts = _plain_texts(
            segment.text for segment in segments if (segment.path, segment.text) not in translated
        )
        if texts:
            pending.append(PendingLanguage(translation.target_locale, texts))
    return pending


def _plain_texts(texts: Iterable[str]) -> list[str]:
    plain: dict[str, None] = {}  # ordered set
    for text in texts:
        plain[" ".join(StringValue(text).render_text().split())] = None
    plain.pop("", None)
    return list(plain)


# Live pages ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Untranslated:
    """The parts of a translated page shown in the source language."""

    code: str  # the source's language code ("es")
    direction: str  # "ltr" or "rtl"
    paths: frozenset[str]

    def covers(self, path: str) -> bool:
        """Whether `path` (a field, or a field's block "body.<id>") holds untranslated text."""
        return any(p == path or p.startswith(path + ".") for p in self.paths)

    @property
    def block_ids(self) -> frozenset[str]:
        """Ids of the StreamField blocks (any field, any depth) holding untranslated text."""
        return frozenset(part for p in self.paths for part in p.split(".")[1:])


_UNKNOWN = object()
UNTRANSLATED_CACHE_SECONDS = 24 * 60 * 60


def shown_untranslated(page: Page) -> Untranslated | None:
    """What of a live translated page is untranslated source text, or None if nothing is (or the
    page is not a wagtail-localize translation: aliases have a notice of their own).

    A text counts when it is a string of the source language (wagtail-localize records every
    source text it extracted) and no translation of that text into the page's language, at
    that place, says exactly that text (a translator may keep a name as it is). Cached on the
    page object: the notice and every marked element ask."""
    if not hasattr(page, "_croody_untranslated"):
        # The answer depends on the live revision (and the source strings it came from), so it
        # is computed once per published revision, not on every render.
        published = page.last_published_at.timestamp() if page.last_published_at else 0
        key = f"croody:untranslated:{page.pk}:{page.live_revision_id}:{published}"
        found = cache.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = _find_untranslated(page)
            cache.set(key, found, UNTRANSLATED_CACHE_SECONDS)
        page._croody_untranslated = found
    result: Untranslated | None = page._croody_untranslated
    return result


def _find_untranslated(page: Page) -> Untranslated | None:
    if page.alias_of_id is not None:
        return None
    translation = (
        Translation.objects.filter(
            source__object_id=page.translation_key, target_locale_id=page.locale_id
        )
        .exclude(source__locale_id=page.locale_id)
        .select_related("source__locale")
        .first()
    )
    if translation is None:
        return None
    source_locale = translation.source.locale
    segments = _string_segments(page.specific)
    source_texts = set(
        String.objects.filter(
            locale=source_locale,
            data_hash__in={String._get_data_hash(segment.text) for segment in segments},
        ).values_list("data", flat=True)
    )
    translated = set(
        _translations(page.translation_key, page.locale).values_list("context__path", "data")
    )
    paths = frozenset(
        segment.path
        for segment in segments
        if segment.text in source_texts and (segment.path, segment.text) not in translated
    )
    if not paths:
        return None
    info = get_language_info(source_locale.language_code)
    return Untranslated(info["code"], "rtl" if info["bidi"] else "ltr", paths)
