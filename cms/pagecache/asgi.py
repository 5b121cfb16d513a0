"""Cache hits answered in front of Django, so a cached page costs a cache read, not a request
through Django's handler and middleware.

The same `lookup` as PageCacheMiddleware (on the same ASGIRequest Django would build), run
in a worker thread so a slow cache never blocks the event loop. A stored page already holds
every header Django's middleware adds, so it goes out as stored. Misses, and everything that
is not a cacheable page request, go on to Django unchanged (and are stored there).
"""

import asyncio
import io
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse

from cms.base.paths import is_language_path
from cms.pagecache.middleware import lookup, page_cache_enabled

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class PageCacheASGI:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] == "GET"
            and is_language_path(scope["path"])
            and page_cache_enabled()
        ):
            cached = await asyncio.to_thread(_cached_page, scope)
            if cached is not None:
                await _send(cached, send)
                return
        await self.app(scope, receive, send)


def _cached_page(scope: Scope) -> HttpResponse | None:
    try:
        looked_up = lookup(ASGIRequest(scope, io.BytesIO()))
    except DisallowedHost:
        return None  # Django answers it (400)
    return looked_up[1].page if looked_up else None


async def _send(response: HttpResponse, send: Send) -> None:
    headers = [
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in response.items()
    ]
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.content})
