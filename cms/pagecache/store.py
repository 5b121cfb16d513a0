"""Whole pages in the "pages" cache, purged with a few writes, never a scan.

Generation tokens stand for paths: one for each exact path and one for each path prefix
(`/`, `/es/`, `/es/tienda/`, `/es/tienda/tempo-3/`). A page is stored with the tokens of its
path and prefixes as they were read before it was rendered, and is served only while they
are all still current. Purging a page replaces the token of its path; purging a subtree (a
language, a section whose URL or title changed) replaces the token of its prefix. Tokens are
random, so one lost from the cache comes back as a new one that no stored page matches: an
eviction can only cost a miss. One round trip (get_many) reads the tokens and the page.

Reading the tokens before rendering is what keeps it never stale: a page rendered while a
purge commits carries the tokens from before the purge and is never served.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.core.cache import BaseCache, caches
from django.http import HttpResponse

CACHE_ALIAS = "pages"


def pages_cache() -> BaseCache:
    return caches[CACHE_ALIAS]


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=16).hexdigest()


def page_token_key(path: str) -> str:
    return f"gen:page:{_digest(path)}"


def tree_token_key(path: str) -> str:
    return f"gen:tree:{_digest(path)}"


def prefixes(path: str) -> list[str]:
    """'/es/tienda/x/' -> ['/', '/es/', '/es/tienda/', '/es/tienda/x/']"""
    segments = [segment for segment in path.split("/") if segment]
    return ["/"] + ["/" + "/".join(segments[:depth]) + "/" for depth in range(1, len(segments) + 1)]


def token_keys(path: str) -> list[str]:
    return [tree_token_key(prefix) for prefix in prefixes(path)] + [page_token_key(path)]


def _new_token() -> str:
    return secrets.token_hex(8)


def replace_tokens(pages: set[str], trees: set[str]) -> None:
    """Purge: every entry stored under these paths' current tokens becomes unusable."""
    keys = [page_token_key(path) for path in pages] + [tree_token_key(path) for path in trees]
    if keys:
        pages_cache().set_many({key: _new_token() for key in keys}, timeout=None)


@dataclass(frozen=True)
class Variant:
    """What a stored page depends on besides its path's tokens."""

    scheme: str
    host: str
    path: str
    query: str
    fragment_only: bool  # search.js asks for the results alone (X-Requested-With: fetch)

    @property
    def entry_key(self) -> str:
        parts = (self.scheme, self.host, self.path, self.query, str(self.fragment_only))
        return "page:" + _digest(*parts)


def current_tokens(keys: list[str]) -> tuple[str, ...] | None:
    """The current tokens of these keys (token_keys, tree_token_key…), made when missing;
    None when the cache cannot be reached. For what else is cached under them (fragments)."""
    return _with_missing_tokens(keys, pages_cache().get_many(keys))


def _with_missing_tokens(keys: list[str], found: dict) -> tuple[str, ...] | None:
    missing = [key for key in keys if key not in found]
    if missing:
        cache = pages_cache()
        for key in missing:
            cache.add(key, _new_token(), timeout=None)  # another worker may win: read it back
        found.update(cache.get_many(missing))
        if any(key not in found for key in keys):
            return None
    return tuple(found[key] for key in keys)


@dataclass(frozen=True)
class Found:
    tokens: tuple[str, ...]  # to store a page under, if it is rendered now
    page: HttpResponse | None  # the stored page, when stored under these very tokens


def lookup(variant: Variant) -> Found | None:
    """The path's current tokens and the stored page, in one cache round trip (None when the
    cache cannot be reached)."""
    keys = token_keys(variant.path)
    found = pages_cache().get_many([*keys, variant.entry_key])
    tokens = _with_missing_tokens(keys, found)
    if tokens is None:
        return None
    entry = found.get(variant.entry_key)
    if entry is None or entry[0] != tokens:
        return Found(tokens, None)  # none yet, or stored before a purge
    _tokens, status, headers, content = entry
    page = HttpResponse(content, status=status)
    for name, value in headers:
        page.headers[name] = value
    return Found(tokens, page)


def store(variant: Variant, tokens: tuple[str, ...], page: HttpResponse, seconds: int) -> None:
    entry = (tokens, page.status_code, list(page.headers.items()), page.content)
    pages_cache().set(variant.entry_key, entry, timeout=seconds)
