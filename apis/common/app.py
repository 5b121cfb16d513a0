"""The shape every Croody API shares: prefix, docs, errors, security headers, health."""

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from apis.common.database import make_engine, ping
from apis.common.docs import install_docs
from apis.common.errors import install_error_handlers
from apis.common.security import SecurityHeadersMiddleware


class CheckStatus(BaseModel):
    status: str
    duration_ms: float
    error: str | None = None


class Health(BaseModel):
    status: str
    service: str
    checks: dict[str, CheckStatus]


def _health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["operations"])

    def healthz(request: Request) -> JSONResponse:
        """The service and its database: 200 when usable, 503 when not."""
        started = time.perf_counter()
        try:
            ping(request.app.state.engine)
            database = CheckStatus(status="ok", duration_ms=_ms(started))
        except Exception as exc:  # any failure to reach the database means unhealthy
            database = CheckStatus(
                status="error", duration_ms=_ms(started), error=type(exc).__name__
            )
        health = Health(status=database.status, service=service, checks={"database": database})
        return JSONResponse(
            health.model_dump(exclude_none=True),
            status_code=200 if health.status == "ok" else 503,
            headers={"Cache-Control": "no-store"},
        )

    # Under the prefix through the gateway, and at the root for probes of the service alone.
    router.add_api_route(f"/api/{service}/healthz", healthz, response_model=Health)
    router.add_api_route("/healthz", healthz, response_model=Health, include_in_schema=False)
    return router


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def create_api(
    *,
    service: str,
    title: str,
    description: str,
    version: str,
    database_url: str,
    routers: Sequence[APIRouter] = (),
) -> FastAPI:
    prefix = f"/api/{service}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(database_url)
        try:
            yield
        finally:
            app.state.engine.dispose()

    app = FastAPI(
        title=title,
        description=description,
        version=version,
        openapi_url=f"{prefix}/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_docs(app, prefix)
    app.add_middleware(SecurityHeadersMiddleware, docs_prefix=f"{prefix}/docs")
    app.include_router(_health_router(service))
    for router in routers:
        app.include_router(router, prefix=prefix)
    return app
