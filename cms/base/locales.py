"""The active Locale and a page's language version, without a query per call.

Wagtail's Locale.get_active() asks the database on every call, and `.localized` calls it for
every link it resolves: 21 of the home page's 40 queries were the same Locale row. Locales
change only with LANGUAGES (a deploy) or when an administrator adds or deletes one, so each
process keeps them by language code: reloaded when one is saved or deleted in this process,
when a language is missing, and at most LOCALES_TTL seconds after the last load.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.utils import translation
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import DraftStateMixin, Locale, Page, TranslatableMixin

LOCALES_TTL = 60.0

_T = TypeVar("_T", bound=TranslatableMixin)
_loaded: tuple[float, dict[str, Locale]] | None = None


def _by_code() -> dict[str, Locale]:
    global _loaded
    if _loaded is None or time.monotonic() - _loaded[0] > LOCALES_TTL:
        locales = {locale.language_code: locale for locale in Locale.objects.all()}
        _loaded = (time.monotonic(), locales)
    return _loaded[1]


def forget_locales(**_kwargs: Any) -> None:
    """Receiver for Locale saves and deletions: the next lookup reloads them."""
    global _loaded
    _loaded = None


def _locale_for(language: str | None) -> Locale | None:
    if not language:  # translations deactivated
        return None
    try:
        code = get_supported_content_language_variant(language)
    except LookupError:  # a language the site does not offer
        return None
    found = _by_code().get(code)
    if found is None:  # created since they were loaded (in another process, or rolled back)
        forget_locales()
        found = _by_code().get(code)
    return found


def default_locale() -> Locale:
    """Locale.get_default(), from memory."""
    return _locale_for(settings.LANGUAGE_CODE) or Locale.get_default()


def active_locale() -> Locale:
    """Locale.get_active(), from memory: the active language's, else the default one."""
    return _locale_for(translation.get_language()) or default_locale()


_RESOLVED = "_croody_localized"  # (locale id, version) remembered on an object by localize_all


def localized(obj: _T) -> _T:
    """`obj.localized` without the Locale query: its live version in the active language,
    else itself (a draft translation never replaces it)."""
    locale = active_locale()
    if obj.locale_id == locale.id:
        return obj
    resolved = getattr(obj, _RESOLVED, None)
    if resolved is not None and resolved[0] == locale.id:
        return resolved[1]
    version = obj.get_translation_or_none(locale)
    if version is None or (isinstance(version, DraftStateMixin) and not version.live):
        return obj
    return version


def localize_all(pages: Iterable[Page]) -> None:
    """Resolve localized() for many pages with one query, e.g. a menu's links when the menu
    comes from another language (one query per link otherwise)."""
    locale = active_locale()
    foreign = [page for page in pages if page.locale_id != locale.id]
    if not foreign:
        return
    versions = Page.objects.live().filter(
        locale=locale, translation_key__in={page.translation_key for page in foreign}
    )
    by_key = {version.translation_key: version for version in versions}
    for page in foreign:
        setattr(page, _RESOLVED, (locale.id, by_key.get(page.translation_key, page)))
