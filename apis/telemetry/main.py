"""Croody Telemetry API: `uvicorn apis.telemetry.main:app` alone (:9000) or via the gateway."""

import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic.json_schema import models_json_schema
from sqlalchemy.exc import OperationalError

from apis.common.app import create_api
from apis.telemetry import partitions
from apis.telemetry.live import LiveHub
from apis.telemetry.migrate import MIGRATIONS
from apis.telemetry.routes import router
from apis.telemetry.schemas import ReadingIn
from apis.telemetry.settings import Settings, get_settings
from apis.telemetry.stats import router as stats_router
from apis.telemetry.tables import known_keys
from apis.telemetry.writer import GroupWriter
from croody_core.errors import error_body
from observability import instrument

log = logging.getLogger("croody.telemetry")


def _migrate(app: FastAPI) -> None:
    MIGRATIONS.upgrade(app.state.engine)
    partitions.prepare(app.state.engine)  # PostgreSQL: this month's and its neighbours'


def _background(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        hub = LiveHub(os.environ.get("REDIS_URL", ""), settings.live_channel)
        writer = GroupWriter(app.state.engine)
        async with hub.running(), writer.running():
            app.state.live = hub
            app.state.writer = writer
            yield

    return running


async def _database_unavailable(_request: Request, exc: OperationalError) -> JSONResponse:
    log.error("database unavailable", extra={"error": type(exc.orig).__name__})
    return JSONResponse(
        error_body(503, "The telemetry database is unavailable; retry shortly."),
        status_code=503,
        headers={"Retry-After": "5"},
    )


def _document_request_models(app: FastAPI) -> None:
    """Add ReadingIn to the OpenAPI components: ingest reads its body itself (size first)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _, definitions = models_json_schema(
                [(ReadingIn, "validation")], ref_template="#/components/schemas/{model}"
            )
            schema["components"]["schemas"].update(definitions["$defs"])
        return app.openapi_schema  # type: ignore[return-value]

    app.openapi = openapi  # type: ignore[method-assign]


def build_api(settings: Settings) -> FastAPI:
    api = create_api(
        service="telemetry",
        title="Croody Telemetry",
        description=(
            "Robots post their readings; owners watch them live and query their history. "
            "Authenticate with an API key (`Authorization: Bearer crd_…` or `X-API-Key`) "
            "created on your profile page, or from the site while signed in."
        ),
        version="1.0.0",
        settings=settings,
        known_keys=known_keys,
        routers=[router, stats_router],
        on_startup=_migrate,
        running=_background(settings),
    )
    api.add_exception_handler(OperationalError, _database_unavailable)  # type: ignore[arg-type]
    _document_request_models(api)
    return api


api = build_api(get_settings())
app = instrument(api, service="telemetry")
