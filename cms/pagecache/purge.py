"""Purging pages from the page cache and, when one is configured, from the CDN.

Purges wait for the change's transaction to commit: a page rendered from the old data before
the commit is stored under tokens the purge then replaces, and one rendered after it reads
the new data. Purges of one transaction (a page and its aliases in seven languages) are
merged and applied once.
"""

import logging
from dataclasses import dataclass, field
from typing import Self

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils.encoding import iri_to_uri

from cms.pagecache import store

logger = logging.getLogger(__name__)


@dataclass
class Purge:
    pages: set[str] = field(default_factory=set)  # exact URL paths ("/es/tienda/")
    trees: set[str] = field(default_factory=set)  # URL paths whose whole subtree goes

    def __bool__(self) -> bool:
        return bool(self.pages or self.trees)

    def update(self, other: "Purge") -> Self:
        self.pages |= other.pages
        self.trees |= other.trees
        return self

    def only_languages(self, codes: set[str] | None) -> "Purge":
        """The paths under these language prefixes (all of them for None)."""
        if codes is None:
            return self
        return Purge(
            {path for path in self.pages if _language(path) in codes},
            {path for path in self.trees if _language(path) in codes},
        )


def _language(path: str) -> str:
    return path.split("/", 2)[1] if path.count("/") >= 2 else ""


@dataclass
class _Pending(Purge):
    """The purge waiting for the current transaction (a callable for on_commit)."""

    applied: bool = False

    def __call__(self) -> None:
        apply(self)
        self.applied = True


def schedule(purge: Purge) -> None:
    """Apply `purge` once the current transaction commits (at once outside a transaction)."""
    if not purge:
        return
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        apply(purge)
        return
    # Django drops the callbacks of a rolled-back transaction, and with them this purge.
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, _Pending) and not callback.applied:
            callback.update(purge)
            return
    transaction.on_commit(_Pending().update(purge), robust=True)


def apply(purge: Purge) -> None:
    store.replace_tokens(purge.pages, purge.trees)
    logger.debug("pages purged", extra={"pages": sorted(purge.pages), "trees": sorted(purge.trees)})
    # With the page cache off, purges only keep fragments current: the CDN holds no pages.
    if getattr(settings, "WAGTAILFRONTENDCACHE", None) and settings.PAGE_CACHE_SECONDS > 0:
        purge_cdn(purge)


def purge_cdn(purge: Purge) -> None:
    """Invalidate the same paths on the CDN (wagtail.contrib.frontend_cache backends).

    CloudFront takes `*` only at the end of a path: `/es/tienda/?*` is every query string of
    the catalogue (filters, pages of results), `/es/tienda/*` the catalogue and every product.
    """
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
    from wagtail.models import Site

    roots = sorted({root.root_url for root in Site.get_site_root_paths()})
    paths = sorted(
        {variant for path in purge.pages for variant in (path, f"{path}?*")}
        | {f"{path}*" for path in purge.trees}
    )
    purge_urls_from_cache([root + iri_to_uri(path) for root in roots for path in paths])
