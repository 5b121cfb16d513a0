"""The error envelope (croody_core.errors) as FastAPI answers and documents it."""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from apis.common.security_events import report_refusal
from croody_core.errors import ERROR_CODES, error_body


class ErrorBody(BaseModel):
    """Every 4xx/5xx answer of the APIs."""

    error: str
    message: str
    details: list[Any] | None = None


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting the error body for these statuses."""
    return {
        status: {"model": ErrorBody, "description": ERROR_CODES.get(status, "error")}
        for status in statuses
    }


class ApiError(Exception):
    """Raise to answer with the error body, including `details` (HTTPException has none)."""

    def __init__(
        self,
        status: int,
        message: str,
        details: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    report_refusal(request, exc.status, exc.headers)  # 401/403/429: a security event
    return JSONResponse(
        jsonable_encoder(error_body(exc.status, exc.message, exc.details)),
        status_code=exc.status,
        headers=exc.headers,
    )


async def _http_exception(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    report_refusal(request, exc.status_code, exc.headers)  # 401/403/429: a security event
    return JSONResponse(
        error_body(exc.status_code, str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _validation_exception(_request: Request, exc: RequestValidationError) -> JSONResponse:
    details = [
        {"loc": list(error["loc"]), "msg": error["msg"], "type": error["type"]}
        for error in exc.errors()
    ]
    return JSONResponse(
        jsonable_encoder(error_body(422, "The request is not valid.", details)), status_code=422
    )


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http_exception)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation_exception)  # type: ignore[arg-type]
