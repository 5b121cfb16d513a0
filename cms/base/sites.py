"""The request's Wagtail Site without a query per request.

Wagtail's Site.find_for_request asks the database on every request (one of the heaviest
queries of an uncached page: every Site, ranked by how well it matches the host). Sites
change only when an administrator edits one, so each process keeps them by host and port:
dropped when a Site is saved or deleted in this process, and at most SITES_TTL seconds after
they were read (other processes). Each request gets its own copy (unpickled): Wagtail caches
things on the Site and its root page (`specific`, `localized`), which must not outlive it.
"""

import contextlib
import pickle
import time
from collections.abc import Callable
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponseBase
from django.http.request import split_domain_port
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname

from cms.base.paths import is_language_path

SITES_TTL = 60.0

_sites: dict[tuple[str, int | str], tuple[float, bytes]] = {}


def forget_sites(**_kwargs: Any) -> None:
    """Receiver for Site saves and deletions: the next request reads them again."""
    _sites.clear()


def site_for_request(request: HttpRequest) -> Site | None:
    """What Site.find_for_request finds, from memory."""
    # As Wagtail does: the raw host (ALLOWED_HOSTS is Django's business, checked elsewhere).
    host = request._get_raw_host()  # type: ignore[attr-defined]  # Django's, not in the stubs
    key = (split_domain_port(host)[0], request.get_port())
    kept = _sites.get(key)
    if kept is None or time.monotonic() - kept[0] > SITES_TTL:
        try:
            site = get_site_for_hostname(*key)
        except Site.DoesNotExist:
            return None  # not kept: a site may be added at any time
        kept = (time.monotonic(), pickle.dumps(site))
        _sites[key] = kept
    return pickle.loads(kept[1])  # noqa: S301 - bytes this process pickled


class SiteMiddleware:
    """Gives Wagtail the request's Site before it looks for it (Site.find_for_request keeps
    whatever `request._wagtail_site` holds)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_language_path(request.path):  # where Wagtail serves pages; elsewhere, as it does
            # Not every request needs the Site (a refused POST never reaches a view): if the
            # database cannot answer, those that do meet the error when Wagtail looks.
            with contextlib.suppress(DatabaseError):
                request._wagtail_site = site_for_request(request)  # type: ignore[attr-defined]
        return self.get_response(request)
