"""The state the language selector carries to the same page in another language.

A page type lists the URL parameters that still mean the same thing in every language
(`language_switch_params`, e.g. the catalogue's filters, sort and page: category slugs are
shared by all languages and a search stays as typed). Only those are carried, each value
once, without control characters, length-limited and re-encoded, so what reaches the
redirect is a plain query string the target page reads like any link.
"""

import unicodedata
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode

from wagtail.models import Page

# Nothing a page keeps is longer: the catalogue's search box takes 100 characters, which
# percent-encode to at most 1200 (4-byte UTF-8); anything bigger is dropped unread.
MAX_QUERY_LENGTH = 4000
MAX_VALUE_LENGTH = 200
MAX_FIELDS = 50


def switch_params(page: Page) -> tuple[str, ...]:
    """The URL parameters `page`'s type keeps across languages (none by default)."""
    return tuple(getattr(page.specific_class, "language_switch_params", ()))


def carried_query(query_string: str, names: Iterable[str]) -> str:
    """`query_string` reduced to the parameters in `names`: the first usable value of each,
    in the order of `names`, re-encoded ("" when nothing is left)."""
    names = tuple(names)
    if not names or not query_string or len(query_string) > MAX_QUERY_LENGTH:
        return ""
    try:
        pairs = parse_qsl(query_string.lstrip("?"), max_num_fields=MAX_FIELDS)
    except ValueError:  # more fields than any page keeps
        return ""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in names and name not in values and _usable(value):
            values[name] = value
    return urlencode([(name, values[name]) for name in names if name in values])


def _usable(value: str) -> bool:
    """Short and non-empty, with no NUL, CR/LF or other control character (format characters
    such as the zero-width joiner stay: Hindi and Arabic text needs them)."""
    return 0 < len(value) <= MAX_VALUE_LENGTH and not any(
        unicodedata.category(char) == "Cc" for char in value
    )
