"""Where the site's pages live: under a language prefix (/es/…, /zh-hans/…). The admin, the
APIs and static files are elsewhere."""

from functools import cache

from django.conf import settings


def is_language_path(path: str) -> bool:
    first_segment = path.split("/", 2)[1].lower() if path.count("/") >= 2 else ""
    return first_segment in _language_codes()


@cache
def _language_codes() -> frozenset[str]:
    return frozenset(code.lower() for code, _name in settings.LANGUAGES)
