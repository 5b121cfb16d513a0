"""Serve anonymous visitors whole pages from the "pages" cache; tell the CDN what it may keep.

A request can be answered from the cache when it is a GET for a page under a language prefix
and carries neither a session cookie (signed-in users, pending messages) nor a messages
cookie. Its response is stored when it is a Wagtail page (not a preview) rendered for an
anonymous visitor with status 200 and nothing personal in it: no cookie set (a form's CSRF
token sets one), no CSP nonce, no Vary on anything but Cookie and X-Requested-With.

Stored pages go out with `Cache-Control: public, max-age=0, s-maxage=N`: browsers ask again
every time, shared caches keep them for N seconds (and are purged on change, see purge.py).
`CDN-Cache-Control: public, max-age=N, stale-while-revalidate=M` (RFC 9213) lets a CDN
answer from an expired copy while it fetches a new one; it is not in Cache-Control because
browsers honour stale-while-revalidate too, and no purge reaches a browser: a visitor
reloading after an edit would see the old page. Every other page response is
`private, no-cache`.
"""

from collections.abc import Callable
from typing import cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

from cms.base.paths import is_language_path
from cms.pagecache import store

SERVED_PAGE = "_pagecache_page"  # set on the request by the before_serve_page hook
FRAGMENT_TOKENS = "_pagecache_tokens"  # {token key: token} read for this request (fragments.py)
STATUS_HEADER = "X-Page-Cache"  # hit | miss (stored) | bypass: for operators and tests
CDN_HEADER = "CDN-Cache-Control"
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage
VARY_ALLOWED = {"cookie", "x-requested-with"}
NOT_SHARED = {"private", "no-cache", "no-store"}  # Cache-Control a view may set itself


def page_cache_enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def cacheable_request(request: HttpRequest) -> bool:
    """A GET for a page under a language prefix, from someone with no session or messages."""
    if request.method != "GET":
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES or MESSAGES_COOKIE in request.COOKIES:
        return False
    return is_language_path(request.path)


def lookup(request: HttpRequest) -> tuple[store.Variant, store.Found] | None:
    """For a cacheable request, what to store its page under and the stored page if any;
    None otherwise, or when the cache cannot be reached (pages are then rendered as if there
    were no cache)."""
    if not (page_cache_enabled() and cacheable_request(request)):
        return None
    variant = store.Variant(
        scheme=cast(str, request.scheme),  # never None once a request is being served
        host=request.get_host(),
        path=request.path,
        query=request.META.get("QUERY_STRING", ""),
        fragment_only=request.headers.get("X-Requested-With") == "fetch",
    )
    found = store.lookup(variant)
    if found is None:
        return None
    if found.page is not None:
        found.page[STATUS_HEADER] = "hit"
    return variant, found


class PageCacheMiddleware:
    """First in MIDDLEWARE, so a stored page carries every header the others add (security
    headers, CSP, Content-Language) and cms.pagecache.asgi can serve it without Django."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        looked_up = lookup(request)
        if looked_up is None:
            return self.mark(request, self.get_response(request), stored=False)
        variant, found = looked_up
        if found.page is not None:
            return found.page
        # Read already: the page's fragments are stored under the same tokens (fragments.py).
        keys = store.token_keys(variant.path)
        request.__dict__[FRAGMENT_TOKENS] = dict(zip(keys, found.tokens, strict=True))
        response = self.get_response(request)
        stored = self.cacheable_response(request, response)
        self.mark(request, response, stored)
        if stored and isinstance(response, HttpResponse):
            store.store(variant, found.tokens, response, lifetime(response))
        return response

    @staticmethod
    def cacheable_response(request: HttpRequest, response: HttpResponseBase) -> bool:
        user = getattr(request, "user", None)
        vary = _tokens(response.get("Vary", ""))
        cache_control = {
            token.split("=")[0] for token in _tokens(response.get("Cache-Control", ""))
        }
        return (
            getattr(request, SERVED_PAGE, None) is not None
            and not getattr(request, "is_preview", False)
            and isinstance(response, HttpResponse)  # not streamed
            and response.status_code == 200
            and not response.cookies
            and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
            and not isinstance(getattr(request, "_csp_nonce", None), str)
            and not (user is not None and user.is_authenticated)
            and not cache_control & NOT_SHARED
            and vary <= VARY_ALLOWED
        )

    @staticmethod
    def mark(request: HttpRequest, response: HttpResponseBase, stored: bool) -> HttpResponseBase:
        """Cache-Control and Vary for page responses; other responses keep their own."""
        if getattr(request, SERVED_PAGE, None) is None:
            return response
        patch_vary_headers(response, ["Cookie"])  # signed-in users see another header
        if stored:
            seconds = lifetime(response)
            patch_cache_control(response, public=True, max_age=0, s_maxage=seconds)
            response[CDN_HEADER] = (
                f"public, max-age={seconds}, "
                f"stale-while-revalidate={settings.PAGE_CACHE_STALE_SECONDS}"
            )
        elif not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_cache=True)
        response[STATUS_HEADER] = "miss" if stored else "bypass"
        return response


def lifetime(response: HttpResponseBase) -> int:
    """How long a page may be kept: PAGE_CACHE_SECONDS, or less when the page says so with
    `page_cache_max_age` (the home page's live figures)."""
    asked = getattr(response, "page_cache_max_age", None)
    seconds = settings.PAGE_CACHE_SECONDS
    return min(seconds, asked) if asked is not None else seconds


def _tokens(header: str) -> set[str]:
    return {token.strip().lower() for token in header.split(",") if token.strip()}
