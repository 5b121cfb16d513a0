"""Locales and wagtail-localize translations, created the way an editor would create them.

Translations go through wagtail-localize's TranslationSource / Translation records,
so editors find them in the translation editor and can update them later.
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page
from wagtail_localize.models import (
    LocaleSynchronization,
    StringSegment,
    StringTranslation,
    Translation,
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


def missing_translations(page: Page) -> list[Locale]:
    """Locales where `page` has no real translation yet (an alias does not count)."""
    translated = set(
        page.get_translations(inclusive=True)
        .filter(alias_of__isnull=True)
        .values_list("locale_id", flat=True)
    )
    return list(Locale.objects.exclude(id__in=translated))


@transaction.atomic
def translate_page(page: Page, catalogue: Catalogue, locales: list[Locale]) -> None:
    """Translate `page` into `locales` with wagtail-localize, using `catalogue` for its strings.

    Raises MissingTranslationText when the catalogue lacks a string,
    so demo content can never publish Spanish text under another language.
    """
    creator = TranslationCreator(user=None, target_locales=locales)
    creator.create_translations(page, include_related_objects=False)
    for translation in Translation.objects.filter(
        source__object_id=page.translation_key, target_locale__in=locales
    ).select_related("source", "target_locale"):
        code = translation.target_locale.language_code
        for segment in StringSegment.objects.filter(source=translation.source).select_related(
            "string", "context"
        ):
            try:
                text = catalogue[segment.string.data][code]
            except KeyError:
                raise MissingTranslationText(segment.string.data, code) from None
            StringTranslation.objects.update_or_create(
                translation_of=segment.string,
                locale=translation.target_locale,
                context=segment.context,
                defaults={
                    "data": text,
                    "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
                },
            )
        translation.save_target(publish=True)
