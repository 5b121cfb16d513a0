"""Locales and wagtail-localize translations, created the way an editor would create them.

Translations go through wagtail-localize's TranslationSource / Translation records,
so editors find them in the translation editor and can update them later.
"""

import json
from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail_localize.models import (
    LocaleSynchronization,
    OverridableSegment,
    SegmentOverride,
    StringSegment,
    StringTranslation,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import TranslationCreator
from wagtail_localize.synctree import synchronize_tree

# Source text (Spanish) -> language code -> translated text.
Catalogue = Mapping[str, Mapping[str, str]]


class MissingTranslationText(LookupError):
    def __init__(self, source_text: str, language_code: str) -> None:
        super().__init__(f"no {language_code!r} translation for {source_text!r}")


def ensure_locales() -> list[Locale]:
    """Every configured language has a Locale, each synchronised from the default one."""
    default = Locale.get_default()
    locales = []
    for code, _name in settings.LANGUAGES:
        locale, _created = Locale.objects.get_or_create(language_code=code)
        if locale != default:
            LocaleSynchronization.objects.get_or_create(
                locale=locale, defaults={"sync_from": default}
            )
        locales.append(locale)
    return locales


def sync_trees() -> None:
    """Create alias pages in every synchronised locale for source pages they lack."""
    for sync in LocaleSynchronization.objects.select_related("locale", "sync_from"):
        synchronize_tree(sync.sync_from, sync.locale)


def missing_translations(obj: TranslatableMixin) -> list[Locale]:
    """Locales where a page or snippet has no real translation yet (an alias does not count)."""
    versions = obj.get_translations(inclusive=True)
    if isinstance(obj, Page):
        versions = versions.filter(alias_of__isnull=True)
    return list(Locale.objects.exclude(id__in=versions.values_list("locale_id", flat=True)))


def live_translations(page: Page) -> dict[str, Page]:
    """The live language versions of `page` (itself included) that editors wrote, keyed by
    language code. An alias does not count: it only copies the Spanish page until someone
    translates it. Cached on the page object: base.html asks for it more than once."""
    cached = getattr(page, "_croody_live_translations", None)
    if cached is None:
        versions = (
            page.get_translations(inclusive=True)
            .live()
            .filter(alias_of__isnull=True)
            .select_related("locale")
        )
        cached = {version.locale.language_code: version for version in versions}
        page._croody_live_translations = cached
    return cached


def untranslated_original(page: Page) -> Page | None:
    """The page an alias copies when the alias stands in for a missing translation (a page
    synchronised from Spanish that nobody has translated yet), else None."""
    if page.alias_of_id is None:
        return None
    original = Page.objects.select_related("locale").filter(pk=page.alias_of_id).first()
    if original is None or original.locale_id == page.locale_id:
        return None
    return original


def source_strings(obj: TranslatableMixin) -> set[str]:
    """The texts a translation of `obj` needs (slugs excluded: they may stay as they are)."""
    source, _created = TranslationSource.get_or_create_from_instance(obj)
    return set(
        StringSegment.objects.filter(source=source)
        .exclude(context__path="slug")
        .values_list("string__data", flat=True)
    )


def translated_slug(obj: TranslatableMixin, code: str, catalogue: Catalogue) -> str:
    """A page's slug in language `code`: the catalogue's "<parent slug>/<slug>" entry, which
    tells apart equal slugs under different parents (the home page and a product are both
    "inicio"), else its "<slug>" entry, else the slug with the language code appended (unique
    even among the locales' home pages)."""
    slug = obj.slug  # only pages have a slug segment
    parent = obj.get_parent() if isinstance(obj, Page) else None
    for key in ([f"{parent.slug}/{slug}"] if parent is not None else []) + [slug]:
        if code in catalogue.get(key, {}):
            return catalogue[key][code]
    return suffixed_slug(slug, code)


def suffixed_slug(slug: str, code: str) -> str:
    """What a slug missing from the catalogue became before slugs were translated."""
    return f"{slug}-{code}"


@transaction.atomic
def translate_object(obj: TranslatableMixin, catalogue: Catalogue, locales: list[Locale]) -> None:
    """Translate a page or snippet into `locales` with wagtail-localize, from `catalogue`.

    Raises MissingTranslationText when the catalogue lacks a string, so demo content
    can never publish Spanish text under another language. Slugs come from
    `translated_slug`.
    """
    creator = TranslationCreator(user=None, target_locales=locales)
    creator.create_translations(obj, include_related_objects=False)
    _apply_catalogue(
        obj,
        catalogue,
        Translation.objects.filter(
            source__object_id=obj.translation_key, target_locale__in=locales
        ),
    )


@transaction.atomic
def retranslate_object(obj: TranslatableMixin, catalogue: Catalogue) -> None:
    """Bring the existing translations of `obj` up to date with its source as it is now
    (new strings, links, images), from `catalogue`, and publish them."""
    TranslationSource.update_or_create_from_instance(obj)
    _apply_catalogue(
        obj,
        catalogue,
        Translation.objects.filter(
            source__object_id=obj.translation_key, source__locale=obj.locale
        ),
    )


def _apply_catalogue(
    obj: TranslatableMixin, catalogue: Catalogue, translations: QuerySet[Translation]
) -> None:
    for translation in translations.select_related("source", "target_locale"):
        locale = translation.target_locale
        code = locale.language_code
        for segment in StringSegment.objects.filter(source=translation.source).select_related(
            "string", "context"
        ):
            source_text = segment.string.data
            if segment.context.path == "slug":
                text = translated_slug(obj, code, catalogue)
            elif code in catalogue.get(source_text, {}):
                text = catalogue[source_text][code]
            else:
                raise MissingTranslationText(source_text, code)
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
        _localize_internal_links(translation.source, obj.locale.language_code, locale)
        translation.save_target(publish=True)


def _localize_internal_links(source: TranslationSource, source_code: str, locale: Locale) -> None:
    """Links to the source language's own URLs ("/es/account/profile/" in a rich text or URL
    field) point at the same URL in the translation's language."""
    prefix, target = f"/{source_code}/", f"/{locale.language_code}/"
    for segment in OverridableSegment.objects.filter(source=source).select_related("context"):
        value = segment.data
        if isinstance(value, str) and value.startswith(prefix):
            SegmentOverride.objects.update_or_create(
                locale=locale,
                context=segment.context,
                defaults={"data_json": json.dumps(target + value.removeprefix(prefix))},
            )
