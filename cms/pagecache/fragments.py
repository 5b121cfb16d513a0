"""What every page repeats (header menu, footer, language selector), cached as HTML.

Pages the page cache does not serve (signed-in visitors, a cache miss, the page cache off)
would otherwise query and render them on every request. A fragment is stored under the purge
tokens of store.py, as whole pages are: "page" fragments (the menu marks the current page,
the language selector lists this page's translations) under the tokens of the request's path,
"language" fragments (the footer) under those of `/` and `/<language>/`. So whatever purges a
page (its menu, footer or a page they link to edited, a translation published, a locale
added: dependencies.py) also makes its fragments unusable, at once and in every worker.
A fragment showing another page (a product's card on the catalogue) is stored under that
page's tokens instead (`cached_many`): what changes the card purges the product's page.

Fragments live in the "fragments" cache, local to each process: they are HTML from this
process's templates, so a deploy never serves the previous release's markup, and a hit costs
no round trip. The tokens are shared ("pages" cache), read once per request.
"""

import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from cms.base.paths import is_language_path
from cms.pagecache import store
from cms.pagecache.middleware import FRAGMENT_TOKENS

T = TypeVar("T")

CACHE_ALIAS = "fragments"
SCOPES = ("page", "language")


def fragment_cache_enabled() -> bool:
    return settings.FRAGMENT_CACHE_SECONDS > 0


def fragments_cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def _tokens(request: HttpRequest, keys: list[str]) -> tuple[str, ...] | None:
    known: dict[str, str] = request.__dict__.setdefault(FRAGMENT_TOKENS, {})
    if any(key not in known for key in keys):
        # The first fragment reads every token the others may need, in one round trip.
        path_keys = store.token_keys(request.path) if is_language_path(request.path) else []
        wanted = list(dict.fromkeys([*keys, *path_keys]))
        tokens = store.current_tokens(wanted)
        if tokens is None:
            return None  # the cache is unreachable: render, as pages are
        known.update(zip(wanted, tokens, strict=True))
    return tuple(known[key] for key in keys)


def _usable(request: HttpRequest) -> bool:
    """Whether this request may use fragments: not with the cache off, nor in a preview
    (draft content)."""
    return fragment_cache_enabled() and not getattr(request, "is_preview", False)


def fragment_key(
    request: HttpRequest, name: str, scope: str, vary: Iterable[object], path: str | None = None
) -> str | None:
    """The key of fragment `name` for this request, or None when it must be rendered:
    the cache off, a preview (draft content), no tokens. `path`: for the "page" scope,
    the page whose tokens it is stored under (default: the request's)."""
    if not _usable(request):
        return None
    language = get_language() or ""
    # Links are relative on the request's Site, absolute to others: the host matters.
    where = [request.scheme or "", request.get_host()]
    if scope == "page":
        path = path or request.path
        keys, where = store.token_keys(path), [*where, path]
    else:
        keys = [store.tree_token_key("/"), store.tree_token_key(f"/{language}/")]
    tokens = _tokens(request, keys)
    if tokens is None:
        return None
    parts = [name, scope, language, *where, *tokens, *(str(value) for value in vary)]
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()
    return f"fragment:{digest}"


def cached_many(
    request: HttpRequest | None,
    name: str,
    paths: Sequence[str | None],
    render: Callable[[list[int]], list[str]],
) -> list[SafeString]:
    """Fragment `name` of several pages (a product card for each product listed), each
    stored under the tokens of its page's `path` (None: never cached). The tokens and the
    fragments are read in one round trip each; `render(indexes)` renders the missing ones
    in one go (so that what they need can be fetched in bulk)."""
    keys: list[str | None] = [None] * len(paths)
    if request is not None and _usable(request):
        wanted = [key for path in paths if path for key in store.token_keys(path)]
        if _tokens(request, list(dict.fromkeys(wanted))) is not None:
            keys = [
                fragment_key(request, name, "page", (), path=path) if path else None
                for path in paths
            ]
    found = fragments_cache().get_many([key for key in keys if key]) if any(keys) else {}
    missing = [index for index, key in enumerate(keys) if key not in found]
    rendered = dict(zip(missing, (str(part) for part in render(missing)), strict=True))
    stored = {key: part for index, part in rendered.items() if (key := keys[index])}
    if stored:
        fragments_cache().set_many(stored, settings.FRAGMENT_CACHE_SECONDS)
    # HTML our own templates rendered.
    return [
        mark_safe(rendered[index] if index in rendered else found[key])  # noqa: S308
        for index, key in enumerate(keys)
    ]


def cached_value(
    request: HttpRequest, name: str, vary: Iterable[object], compute: Callable[[], T]
) -> T:
    """A small value worked out from what the request's page lists (the catalogue's count of
    matches), kept as the page's fragments are: under its purge tokens, so whatever changes
    the listing (a product published, edited, sold out) has it worked out again. Worked out
    every time when fragments cannot be used (see fragment_key)."""
    key = fragment_key(request, name, "page", vary)
    if key is None:
        return compute()
    cache = fragments_cache()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, settings.FRAGMENT_CACHE_SECONDS)
    return value
