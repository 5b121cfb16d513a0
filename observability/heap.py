"""A server's start-up objects, moved out of the garbage collector's way on the first request.

What a worker holds after start-up (Django's apps and URLs, Wagtail's models, SQLAlchemy's
tables, pydantic's validators: over 100,000 objects) lives as long as the process, yet each
full collection walks all of it again, and requests allocate enough to set collections off (a
batch of 1,000 readings is 1,000 models). `gc.freeze()` once start-up is over (the first
request) leaves them out: telemetry ingest went from 12.6 to 10.3 µs of CPU per reading.

On in the servers that `observability.server.serve` starts (`python -m gateway`, `cms`,
`apis.*`), which set GC_FREEZE=1 unless it is set; GC_FREEZE=0 turns it off. Off elsewhere
(pytest's process serves apps in between tests: its heap is not a server's).
"""

import gc
import os

from observability.metrics import ASGIApp, Receive, Scope, Send

_frozen = False


def freeze_after_startup(app: ASGIApp) -> ASGIApp:
    """`app`, freezing the process's heap before the first HTTP request it serves (once per
    process, however many apps share it) when GC_FREEZE=1."""
    if os.environ.get("GC_FREEZE") != "1":
        return app

    async def frozen_heap(scope: Scope, receive: Receive, send: Send) -> None:
        global _frozen
        if not _frozen and scope["type"] == "http":
            _frozen = True
            gc.collect()  # start-up's own garbage is freed, not kept for good
            gc.freeze()
        await app(scope, receive, send)

    return frozen_heap
