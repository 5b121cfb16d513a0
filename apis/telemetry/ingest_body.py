"""Turning an ingest request body into readings, or a clear 4xx before anything is stored.

The body is read here rather than by FastAPI so that its size is checked while it arrives
(413 without buffering a huge body) and the JSON is parsed and validated once, in pydantic's
Rust core. A batch is all-or-nothing: one bad reading refuses the whole request.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import TypeAdapter, ValidationError

from apis.common.errors import ApiError
from apis.telemetry.schemas import MAX_BATCH, MAX_BODY_BYTES, ReadingIn

MAX_DETAILS = 1000  # one per bad reading of a full batch; bounds the answer's size
_ONE = TypeAdapter(ReadingIn)
_MANY = TypeAdapter(list[ReadingIn])


def check_content_type(request: Request) -> None:
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    charset = parameters.strip().lower().removeprefix("charset=").strip('"')
    if media_type.strip().lower() != "application/json" or charset not in ("", "utf-8"):
        raise ApiError(415, "Send the readings as JSON: Content-Type: application/json.")


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    too_large = ApiError(413, f"The body is larger than {limit // 1024} KB; send smaller batches.")
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "Content-Length is not a number.")
        if int(declared) > limit:
            raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_readings(body: bytes) -> list[ReadingIn]:
    """One reading (a JSON object) or a batch (an array of 1 to MAX_BATCH objects)."""
    stripped = body.lstrip()
    batch = stripped[:1] == b"["
    try:
        readings = _MANY.validate_json(stripped) if batch else [_ONE.validate_json(stripped)]
    except ValidationError as error:
        raise _refusal(error, batch) from None
    if not readings:
        raise ApiError(422, "The batch is empty: send at least one reading.")
    if len(readings) > MAX_BATCH:
        raise ApiError(413, f"{len(readings)} readings in one batch; at most {MAX_BATCH}.")
    return readings


def _refusal(error: ValidationError, batch: bool) -> ApiError:
    problems = error.errors(include_url=False, include_input=False)
    if any(problem["type"] == "json_invalid" for problem in problems):
        return ApiError(400, f"The body is not valid JSON: {problems[0]['msg']}")
    details: list[dict[str, Any]] = []
    seen: set[tuple[int | str, str]] = set()
    for problem in problems:
        location = list(problem["loc"])
        index = location.pop(0) if batch and location and isinstance(location[0], int) else 0
        field = ".".join(str(part) for part in location) or None
        if field is None:  # the reading (or the body) is not an object at all
            message = "Each reading must be a JSON object; a batch is a JSON array of them."
        else:
            message = str(problem["msg"]).removeprefix("Value error, ")
        top_field = field.split(".", 1)[0] if field else ""
        if (index, top_field) in seen:
            continue  # one message per field is enough
        seen.add((index, top_field))
        details.append(
            {"index": index, "field": field, "message": message, "type": problem["type"]}
        )
    indexes = sorted({detail["index"] for detail in details})
    which = ", ".join(str(index) for index in indexes[:10]) + (", …" if len(indexes) > 10 else "")
    message = f"Invalid reading(s) at index {which}; nothing was stored."
    if len(details) > MAX_DETAILS:
        message += f" The first {MAX_DETAILS} of {len(details)} problems are listed."
    return ApiError(422, message, details[:MAX_DETAILS])
