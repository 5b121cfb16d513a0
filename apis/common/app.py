"""The shape every Croody API shares: prefix, docs, errors, security headers, health."""

import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Table

from apis.common.database import make_engine, ping
from apis.common.docs import install_docs
from apis.common.errors import install_error_handlers
from apis.common.key_directory import KeyDirectory
from apis.common.ratelimit import RateLimiter
from apis.common.security import SecurityHeadersMiddleware
from apis.common.settings import ServiceSettings
from observability.security import expect_service


class CheckStatus(BaseModel):
    status: str
    duration_ms: float
    error: str | None = None


# A service-specific health check: returns None when fine, else the reason it fails.
HealthCheck = Callable[[FastAPI], str | None]


class Health(BaseModel):
    status: str
    service: str
    checks: dict[str, CheckStatus]


def _health_router(service: str, extra_checks: Mapping[str, HealthCheck]) -> APIRouter:
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
        checks = {"database": database}
        for name, check in extra_checks.items():
            started = time.perf_counter()
            reason = check(request.app)
            checks[name] = CheckStatus(
                status="error" if reason else "ok", duration_ms=_ms(started), error=reason
            )
        ok = all(check.status == "ok" for check in checks.values())
        health = Health(status="ok" if ok else "error", service=service, checks=checks)
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
    settings: ServiceSettings,
    known_keys: Table,
    routers: Sequence[APIRouter] = (),
    health_checks: Mapping[str, HealthCheck] | None = None,
    on_startup: Callable[[FastAPI], None] | None = None,
    running: Callable[[FastAPI], AbstractAsyncContextManager[None]] | None = None,
) -> FastAPI:
    """`on_startup` runs once the engine exists (migrations, loading models).

    `settings.rate_limit` (e.g. "1200/minute", empty for none) is applied per principal by
    apis.common.auth.require_scopes. `running` is entered while the app serves (background
    tasks bound to the event loop, such as a Redis subscriber). Keys are checked with the
    CMS and kept in `known_keys` (apis.common.key_directory); the CMS answers
    at `settings.cms_url`, or through `app.state.cms_transport` when the gateway set one
    (the CMS in the same process).
    """
    prefix = f"/api/{service}"

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = make_engine(settings.database_url)
        try:
            if on_startup is not None:
                on_startup(app)
            # Made here, inside the event loop their connections will belong to.
            app.state.rate_limiter = RateLimiter(settings.rate_limit, namespace=service)
            app.state.keys = KeyDirectory(
                cms_url=settings.cms_url,
                secret=settings.internal_secret,
                engine=app.state.engine,
                table=known_keys,
                timeout=settings.cms_timeout_seconds,
                transport=getattr(app.state, "cms_transport", None),
            )
            try:
                if running is None:
                    yield
                else:
                    async with running(app):
                        yield
            finally:
                await app.state.keys.aclose()
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
    app.state.settings = settings
    app.state.service = service  # names the service in its security events
    expect_service(service)
    install_error_handlers(app)
    install_docs(app, prefix)
    app.add_middleware(SecurityHeadersMiddleware, docs_prefix=f"{prefix}/docs")
    app.include_router(_health_router(service, health_checks or {}))
    for router in routers:
        app.include_router(router, prefix=prefix)
    return app
