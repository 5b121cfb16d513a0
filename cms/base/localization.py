"""Locales and wagtail-localize translations, created the way an editor would create them.

Translations go through wagtail-localize's TranslationSource / Translation records,
so editors find them in the translation editor and can update them later.
"""

from collections.abc import Mapping

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail_localize.models import (
    LocaleSynchronization,
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


@transaction.atomic
def translate_object(obj: TranslatableMixin, catalogue: Catalogue, locales: list[Locale]) -> None:
    """Translate a page or snippet into `locales` with wagtail-localize, from `catalogue`.

    Raises MissingTranslationText when the catalogue lacks a string, so demo content
    can never publish Spanish text under another language. A slug the catalogue lacks
    gets the language code appended.
    """
    creator = TranslationCreator(user=None, target_locales=locales)
    creator.create_translations(obj, include_related_objects=False)
    for translation in Translation.objects.filter(
        source__object_id=obj.translation_key, target_locale__in=locales
    ).select_related("source", "target_locale"):
        code = translation.target_locale.language_code
        for segment in StringSegment.objects.filter(source=translation.source).select_related(
            "string", "context"
        ):
            source_text = segment.string.data
            try:
                text = catalogue[source_text][code]
            except KeyError:
                if segment.context.path != "slug":
                    raise MissingTranslationText(source_text, code) from None
                text = f"{source_text}-{code}"  # unique even among the locales' home pages
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
