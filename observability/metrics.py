"""Prometheus metrics for every service, and the guarded `/metrics` endpoint."""

import hmac
import ipaddress
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgi_correlation_id import correlation_id
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)

from observability.security import security_event

# Starlette's shapes (MutableMapping), so FastAPI apps and Starlette middleware fit as they are.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUESTS = Counter(
    "croody_http_requests_total",
    "HTTP requests answered, by service, method and status code.",
    ["service", "method", "status"],
)
LATENCY = Histogram(
    "croody_http_request_duration_seconds",
    "Time from request start to the end of the response body.",
    ["service", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
ERRORS = Counter(
    "croody_http_request_errors_total",
    "Requests that ended in a 5xx or an unhandled exception.",
    ["service"],
)
# What the services did, beyond HTTP: the dashboard's ingest and IDS panels and alerts.
READINGS_INGESTED = Counter(
    "croody_telemetry_readings_ingested_total",
    "Telemetry readings committed (accepted) or recognised as already stored (duplicate).",
    ["outcome"],
)
IDS_ALERTS = Counter(
    "croody_ids_alerts_total",
    "Records the IDS model scored as attacks, by attack category.",
    ["category"],
)


def _registry() -> CollectorRegistry:
    # Several uvicorn workers share counters through files when this variable is set.
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def metrics_allowed(scope: Scope, token: str) -> bool:
    """A bearer token when one is configured; otherwise only loopback clients."""
    if token:
        headers = dict(scope.get("headers") or [])
        presented = headers.get(b"authorization", b"").decode("latin-1")
        return hmac.compare_digest(presented, f"Bearer {token}")
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


async def metrics_endpoint(scope: Scope, send: Send, token: str, service: str) -> None:
    if not metrics_allowed(scope, token):
        security_event(
            "permission_denied",
            service=service,
            request_id=correlation_id.get(),
            client=(scope.get("client") or (None,))[0],
            method=scope["method"],
            path=scope["path"],
            status=403,
        )
        body = b'{"error":"forbidden","detail":"metrics need the METRICS_TOKEN bearer token"}'
        status, content_type = 403, b"application/json"
    else:
        body = generate_latest(_registry())
        status, content_type = 200, CONTENT_TYPE_LATEST.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"cache-control", b"no-store")],
        }
    )
    await send({"type": "http.response.body", "body": body})


class Timer:
    """Measures one request and records it once, whether it succeeded or raised."""

    def __init__(self, service: str, method: str) -> None:
        self.service, self.method = service, method
        self.started = time.perf_counter()
        self.status = 500

    def finish(self, failed: bool = False) -> float:
        elapsed = time.perf_counter() - self.started
        REQUESTS.labels(self.service, self.method, str(self.status)).inc()
        LATENCY.labels(self.service, self.method).observe(elapsed)
        if failed or self.status >= 500:
            ERRORS.labels(self.service).inc()
        return elapsed
