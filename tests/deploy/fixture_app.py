"""Stand-in upstream for the gateway tests (one process per service).

Echoes what it received (method, path, headers, body size) as JSON, returns
X-Request-ID like the real services, and streams Server-Sent Events slowly
on .../live so a buffering proxy would be caught. FIXTURE_SERVICE names it.
Plain ASGI on purpose: no framework between the test and the bytes.
"""

import asyncio
import json
import os

SERVICE = os.environ.get("FIXTURE_SERVICE", "fixture")
SSE_EVENTS = 3
SSE_INTERVAL = 1.0  # seconds between events; the test relies on this pacing


async def _read_body(receive) -> int:
    size = 0
    while True:
        message = await receive()
        size += len(message.get("body", b""))
        if not message.get("more_body"):
            return size


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
    request_id = headers.get("x-request-id", "fixture-generated-id").encode()

    if scope["path"].endswith("/live"):
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream"),
                    (b"cache-control", b"no-cache"),
                    (b"x-request-id", request_id),
                ],
            }
        )
        for number in range(SSE_EVENTS):
            if number:
                await asyncio.sleep(SSE_INTERVAL)
            event = f"id: {number}\ndata: {json.dumps({'n': number, 'service': SERVICE})}\n\n"
            await send({"type": "http.response.body", "body": event.encode(), "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return

    body_length = await _read_body(receive)
    query = scope["query_string"].decode()
    padding = 0
    for part in query.split("&"):
        if part.startswith("pad="):
            padding = int(part[4:])
    payload = {
        "service": SERVICE,
        "method": scope["method"],
        "path": scope["path"],
        "query": query,
        "headers": headers,
        "body_length": body_length,
        "padding": "x" * padding,
    }
    body = json.dumps(payload).encode()
    response_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"x-request-id", request_id),
        (b"set-cookie", b"fixture=1; Path=/"),
    ]
    if SERVICE == "ids":
        # Like the real APIs: a stricter value the gateway must keep, not duplicate.
        response_headers.append((b"x-frame-options", b"DENY"))
    await send({"type": "http.response.start", "status": 200, "headers": response_headers})
    await send({"type": "http.response.body", "body": body})
