"""One origin for the whole system: `python -m gateway` serves it on 127.0.0.1:8000.

/api/telemetry/* goes to the telemetry API, /api/ids/* to the IDS API and everything
else to Django. Each app keeps its full path, so the same URLs work when a service
runs alone (and behind nginx in the compose stack).

This module is the one place that imports both sides: it wires the calls they make to each
other (the services' key introspection, the CMS's reads of their APIs) in process, where
deployed they go over the network.
"""

import asyncio
import threading
from contextlib import AsyncExitStack

import httpx
from fastapi import FastAPI

from apis.ids.main import api as ids_api
from apis.ids.main import app as ids_app
from apis.telemetry.main import api as telemetry_api
from apis.telemetry.main import app as telemetry_app
from cms.asgi import application as cms_app
from cms.services import client as service_clients
from observability.metrics import ASGIApp, Receive, Scope, Send

IN_PROCESS_TIMEOUT_SECONDS = 30.0


class InProcessTransport(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app served on the gateway's event loop.

    The CMS's views are synchronous and run in worker threads; the services' state (database
    engines, the live hub) belongs to the event loop, so each request is handed to it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = httpx.ASGITransport(app=app)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self._loop_thread = loop, threading.get_ident()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.loop is None or self.loop.is_closed():
            raise httpx.ConnectError("the gateway is not serving", request=request)
        if threading.get_ident() == self._loop_thread:
            raise RuntimeError("a blocking call to a service from the event loop would hang it")

        async def call() -> httpx.Response:
            response = await self._app.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        future = asyncio.run_coroutine_threadsafe(call(), self.loop)
        return future.result(timeout=IN_PROCESS_TIMEOUT_SECONDS)


class Gateway:
    def __init__(self, default: ASGIApp, routes: dict[str, ASGIApp], apis: list[FastAPI]):
        self.default = default
        self.routes = routes
        self.apis = apis  # whose lifespans (database engines) the gateway runs
        self.transports = {prefix: InProcessTransport(app) for prefix, app in routes.items()}
        for api in apis:  # the services ask the CMS about keys without leaving the process
            api.state.cms_transport = httpx.ASGITransport(app=default)
        for prefix, transport in self.transports.items():
            service = prefix.rsplit("/", 1)[-1]  # /api/telemetry -> telemetry
            service_clients.use_client(
                service, httpx.Client(transport=transport, base_url="http://gateway")
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        await self.app_for(scope["path"])(scope, receive, send)

    def app_for(self, path: str) -> ASGIApp:
        for prefix, app in self.routes.items():
            if path == prefix or path.startswith(f"{prefix}/"):
                return app
        return self.default

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        # Django has no lifespan support, so the gateway answers the protocol itself
        # and enters each FastAPI app's lifespan.
        async with AsyncExitStack() as stack:
            await receive()  # lifespan.startup
            for transport in self.transports.values():
                transport.bind(asyncio.get_running_loop())
            try:
                for api in self.apis:
                    await stack.enter_async_context(api.router.lifespan_context(api))
            except Exception as exc:
                await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                return
            await send({"type": "lifespan.startup.complete"})
            await receive()  # lifespan.shutdown
        await send({"type": "lifespan.shutdown.complete"})


app = Gateway(
    default=cms_app,
    routes={"/api/telemetry": telemetry_app, "/api/ids": ids_app},
    apis=[telemetry_api, ids_api],
)

if __name__ == "__main__":
    from observability.server import serve

    serve("gateway:app", description=__doc__, default_port=8000)
