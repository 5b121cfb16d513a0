"""Wraps any ASGI app (Django or FastAPI) with request ids, access logs and metrics.

Every entry point applies it once: `cms.asgi`, each API's `main`, so a request
gets the same treatment whether it came through the gateway or to a service alone.
"""

import logging
import os
import re
import uuid

from asgi_correlation_id import CorrelationIdMiddleware

from observability import client_address
from observability.heap import freeze_after_startup
from observability.metrics import ASGIApp, Message, Receive, Scope, Send, Timer, metrics_endpoint

access_log = logging.getLogger("croody.access")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,128}$")


def valid_request_id(value: str) -> bool:
    """Accept ids from nginx ($request_id), load balancers and clients, but nothing odd."""
    return bool(_REQUEST_ID.match(value))


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service
        self.metrics_token = os.environ.get("METRICS_TOKEN", "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == "/metrics":
            await metrics_endpoint(scope, send, self.metrics_token, self.service)
            return

        timer = Timer(self.service, scope["method"])

        async def send_and_record(message: Message) -> None:
            if message["type"] == "http.response.start":
                timer.status = message["status"]
            await send(message)

        failed = True
        try:
            await self.app(scope, receive, send_and_record)
            failed = False
        finally:
            elapsed = timer.finish(failed)
            access_log.info(
                "request",
                extra={
                    "service": self.service,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": timer.status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "client": (scope.get("client") or ("-",))[0],
                },
            )


def instrument(app: ASGIApp, service: str) -> ASGIApp:
    metered = MetricsMiddleware(app, service)
    identified = CorrelationIdMiddleware(
        metered,
        header_name="X-Request-ID",
        generator=lambda: uuid.uuid4().hex,
        validator=valid_request_id,
    )
    # Outermost: the logs, the metrics guard and the app all see the client's real address.
    return freeze_after_startup(client_address.from_environment(identified))
