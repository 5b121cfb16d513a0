"""The one machine-readable error body of every Croody API (and the CMS's JSON errors):

{"error": "<code>", "message": "<for people>", "details": [...]}
"""

from __future__ import annotations

from typing import Any

ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
    502: "bad_gateway",
    503: "unavailable",
}


def error_body(status: int, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"error": ERROR_CODES.get(status, "error"), "message": message}
    if details:
        body["details"] = details
    return body
