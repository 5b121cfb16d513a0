"""One origin for the whole system: `python -m gateway` serves it on 127.0.0.1:8000.

/api/telemetry/* goes to the telemetry API, /api/ids/* to the IDS API and everything
else to Django. Each app keeps its full path, so the same URLs work when a service
runs alone (and behind nginx in the compose stack).
"""

from contextlib import AsyncExitStack

from fastapi import FastAPI

from apis.ids.main import api as ids_api
from apis.ids.main import app as ids_app
from apis.telemetry.main import api as telemetry_api
from apis.telemetry.main import app as telemetry_app
from cms.asgi import application as cms_app
from observability.metrics import ASGIApp, Receive, Scope, Send


class Gateway:
    def __init__(self, default: ASGIApp, routes: dict[str, ASGIApp], apis: list[FastAPI]):
        self.default = default
        self.routes = routes
        self.apis = apis  # whose lifespans (database engines) the gateway runs

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
