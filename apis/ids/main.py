"""Croody IDS API: `uvicorn apis.ids.main:app` alone (port 9100) or through the gateway."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError

from apis.common.app import create_api
from apis.ids import migrate, store
from apis.ids.api_schemas import BulkTriageRequest, PredictBatch, TriageRequest
from apis.ids.routes import router
from apis.ids.serving import Serving
from apis.ids.settings import Settings, get_settings
from croody_core.errors import error_body
from observability import instrument

log = logging.getLogger("croody.ids")


def _start(app: FastAPI) -> None:
    """Bring the schema up to date, then load the shipped model (refusing a bad hash) and
    the registry's active and shadow versions."""
    migrate.upgrade(app.state.engine)
    serving = Serving(app.state.engine, app.state.settings.model_dir)
    serving.start()
    app.state.serving = serving
    loaded = serving.active
    if loaded.model is None:
        log.error("IDS model not loaded: %s", loaded.error)
    else:
        log.info("IDS model %s loaded in %.3f s", loaded.model.version, loaded.load_seconds)


def _model_check(app: FastAPI) -> str | None:
    serving: Serving | None = getattr(app.state, "serving", None)
    return "not loaded yet" if serving is None else serving.current().error


async def _database_unavailable(_request: Request, exc: Exception) -> JSONResponse:
    # A lost database is an outage to report (503), not a bug in the request.
    log.error("IDS database error: %s", exc)
    return JSONResponse(error_body(503, "The database is unavailable; try again."), 503)


def build_api(settings: Settings) -> FastAPI:
    api = create_api(
        service="ids",
        title="Croody IDS",
        description=(
            "Scores network connection records (the 41 NSL-KDD features) with an "
            "intrusion-detection model and keeps every prediction for analysts.\n\n"
            "Authenticate with an API key (`Authorization: Bearer crd_…` or `X-API-Key`): "
            "`ids:score` to predict, `ids:analyst` to read predictions and statistics. "
            "Signed-in staff and members of the *IDS analysts* group may read them "
            "from the browser with their session."
        ),
        version="1.0.0",
        settings=settings,
        known_keys=store.known_keys,
        routers=[router],
        health_checks={"model": _model_check},
        on_startup=_start,
    )
    api.add_exception_handler(DBAPIError, _database_unavailable)

    def openapi() -> dict[str, Any]:
        # predict and the triage writes read their bodies themselves (raw bytes, size-capped,
        # validated in one pass by pydantic-core), so the schemas their requestBody refers
        # to are added here.
        if api.openapi_schema is None:
            schema = FastAPI.openapi(api)
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in (PredictBatch, TriageRequest, BulkTriageRequest):
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                for name, definition in body.pop("$defs", {}).items():
                    components.setdefault(name, definition)
                components.setdefault(model.__name__, body)
        return api.openapi_schema  # type: ignore[return-value]

    api.openapi = openapi  # type: ignore[method-assign]
    return api


api = build_api(get_settings())
app = instrument(api, service="ids")
