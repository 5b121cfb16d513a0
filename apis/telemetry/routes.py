"""The telemetry endpoints under /api/telemetry/: ingest, last, live, query, and the owner's
deletion of a robot's readings."""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal, cast, overload

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from pydantic import BaseModel, BeforeValidator, StringConstraints, WithJsonSchema
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.concurrency import run_in_threadpool

from apis.common.auth import (
    AUTH_RESPONSES,
    Principal,
    directory,
    principal_from_key,
    require_scopes,
)
from apis.common.errors import ApiError, error_responses
from apis.common.timestamps import EARLIEST_MS, RANGE, datetime_schema, epoch_ms_schema
from apis.telemetry import store
from apis.telemetry.access import narrow, owned_robots, readable_robots
from apis.telemetry.ingest_body import check_content_type, parse_readings, read_body
from apis.telemetry.live import GAP, LiveHub
from apis.telemetry.schemas import (
    BUCKET_MS,
    MAX_BATCH,
    READING_EXAMPLE,
    Aggregate,
    Bucket,
    BucketPage,
    EpochTime,
    IngestResult,
    LatestReadings,
    ReadingPage,
    now_ms,
)
from croody_core.scopes import SCOPE_TELEMETRY_READ, SCOPE_TELEMETRY_WRITE
from observability.metrics import READINGS_INGESTED

router = APIRouter(tags=["telemetry"])

Writer = Annotated[Principal, Depends(require_scopes(SCOPE_TELEMETRY_WRITE))]
Reader = Annotated[Principal, Depends(require_scopes(SCOPE_TELEMETRY_READ))]
RobotFilter = Annotated[
    str | None,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,50}$"),
    Query(description="Only this robot (one you may read)."),
]
Order = Literal["asc", "desc"]
DEFAULT_RANGE_MS = 24 * 3600 * 1000
REPLAY_PAGE = 500
MAX_STORED_INT = 2**62  # bigger numbers from a client would overflow the BIGINT columns

MAX_TIME_LENGTH = 40
_INTEGER = re.compile(r"-?[0-9]+")


def _time_from_url(value: object) -> object:
    """A time as a query string carries it: an integer is epoch milliseconds, and the `+` of
    an unencoded offset (2026-01-31T12:00:00+02:00) arrives as a space."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) > MAX_TIME_LENGTH:
        raise ValueError(f"longer than {MAX_TIME_LENGTH} characters")
    if "T" in text and " " in text:
        text = text.replace(" ", "+")
    return int(text) if _INTEGER.fullmatch(text) else text


# `from` and `to`: RFC 3339 with an offset, or epoch ms, within apis.common.timestamps' range.
QueryTime = Annotated[
    EpochTime | None,
    BeforeValidator(_time_from_url),
    WithJsonSchema(
        {
            "anyOf": [
                datetime_schema(maxLength=MAX_TIME_LENGTH, example="2026-01-31T12:00:00Z"),
                epoch_ms_schema(example=1769860800000),
            ]
        }
    ),
]

_BATCH_EXAMPLE = [
    READING_EXAMPLE,
    {**READING_EXAMPLE, "ts": 1769860801250, "seq": 43, "x": 13.3, "extra": None},
]


@router.post(
    "/ingest",
    status_code=202,
    response_model=IngestResult,
    summary="Post one reading or a batch",
    description=(
        "A robot posts its readings with its own key (`telemetry:write`, bound to the robot). "
        f"The body is one reading or an array of 1 to {MAX_BATCH} (at most 256 KB). "
        "The answer comes once the readings are committed. Retries are safe: a reading with "
        "the same robot, `ts` and `seq` as a stored one is counted in `duplicates` and stored "
        "once. A batch is all-or-nothing: any bad reading answers 422 listing the index and "
        "field of each problem, and nothing is stored."
    ),
    responses={**AUTH_RESPONSES, **error_responses(400, 413, 415, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/ReadingIn"},
                            {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/ReadingIn"},
                                "minItems": 1,
                                "maxItems": MAX_BATCH,
                            },
                        ]
                    },
                    "examples": {
                        "one": {"summary": "One reading", "value": READING_EXAMPLE},
                        "batch": {"summary": "A batch", "value": _BATCH_EXAMPLE},
                    },
                }
            },
        }
    },
)
async def ingest(request: Request, principal: Writer) -> IngestResult:
    if principal.robot_id is None:
        raise ApiError(403, "Readings are posted with the robot's own key (telemetry:write).")
    check_content_type(request)
    batch = parse_readings(await read_body(request))
    foreign = [
        {"index": index, "field": "robot_id", "message": "not this key's robot", "type": "denied"}
        for index, reading in enumerate(batch)
        if reading.robot_id != principal.robot_id
    ]
    if foreign:
        raise ApiError(
            403, f"This key posts readings of robot {principal.robot_id!r} only.", foreign
        )
    outcome = await request.app.state.writer.write(batch)  # returns once committed
    READINGS_INGESTED.labels("accepted").inc(outcome.accepted)
    READINGS_INGESTED.labels("duplicate").inc(outcome.duplicates)
    await hub(request).publish(outcome.stored)
    return IngestResult(accepted=outcome.accepted, duplicates=outcome.duplicates)


@router.get(
    "/last",
    response_model=LatestReadings,
    summary="Latest reading per robot",
    description=(
        "The latest reading (by `ts`, then `seq`) of every robot you may read, or of one. "
        "Readings that arrive late never move it backwards."
    ),
    responses={**AUTH_RESPONSES, **error_responses(422)},
)
async def last(request: Request, principal: Reader, robot: RobotFilter = None) -> dict[str, Any]:
    robots = narrow(await readable_robots(request, principal), robot)
    found = await run_in_threadpool(store.latest_readings, request.app.state.engine, robots)
    return {"readings": found}


@router.get(
    "/query",
    response_model=ReadingPage | BucketPage,
    summary="History of one robot",
    description=(
        "Raw readings of one robot in [`from`, `to`), oldest first (newest first with "
        "`order=desc`), a page at a time (follow `next_cursor`). With `bucket`, one row per "
        "time bucket instead, oldest first, each numeric field "
        "aggregated with `agg`. Times are RFC 3339 (use `Z` or `%2B` for the offset in a URL) or "
        f"epoch milliseconds, {RANGE}; `to` defaults to now and `from` to 24 hours before "
        "`to` (not before 1970)."
    ),
    responses={**AUTH_RESPONSES, **error_responses(422)},
)
async def query(
    request: Request,
    principal: Reader,
    robot: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,50}$"), Query()],
    start: Annotated[QueryTime, Query(alias="from", description="inclusive")] = None,
    end: Annotated[QueryTime, Query(alias="to", description="exclusive")] = None,
    bucket: Bucket | None = None,
    agg: Aggregate | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    cursor: Annotated[str | None, Query(max_length=100)] = None,
    order: Order = "asc",
) -> dict[str, Any]:
    narrow(await readable_robots(request, principal), robot)
    end_ms = end if end is not None else now_ms() + 1
    start_ms = start if start is not None else max(end_ms - DEFAULT_RANGE_MS, EARLIEST_MS)
    if start_ms >= end_ms:
        default = "" if start is not None else "(by default 24 hours before `to`, from 1970) "
        raise _bad_param("from", f"{default}must be earlier than `to`")
    engine = request.app.state.engine
    if bucket is None:
        if agg is not None:
            raise _bad_param("agg", "needs `bucket`")
        after = _decode_cursor(cursor, 2) if cursor else None
        rows, next_position = await run_in_threadpool(
            store.readings_page, engine, robot, start_ms, end_ms, after, limit, order == "desc"
        )
        next_cursor = _encode_cursor(*next_position) if next_position else None
        return {"robot_id": robot, "readings": rows, "next_cursor": next_cursor}
    if order != "asc":
        raise _bad_param("order", "must be `asc` with `bucket`")
    agg = agg or "avg"
    bucket_ms = BUCKET_MS[bucket]
    if cursor:
        (last_start,) = _decode_cursor(cursor, 1)
        start_ms = max(start_ms, last_start + bucket_ms)
    buckets, last_bucket = await run_in_threadpool(
        store.bucket_page, engine, robot, start_ms, end_ms, bucket_ms, agg, limit
    )
    return {
        "robot_id": robot,
        "bucket": bucket,
        "agg": agg,
        "buckets": buckets,
        "next_cursor": _encode_cursor(last_bucket) if last_bucket is not None else None,
    }


class DeletedReadings(BaseModel):
    robot_id: str
    deleted: int


@router.delete(
    "/robots/{robot_id}/readings",
    response_model=DeletedReadings,
    summary="Delete every reading of one of your robots",
    description=(
        "The robot's owner, signed in (the site calls it as the owner when a robot or an "
        "account is deleted), deletes all its readings and its latest state; `deleted` counts "
        "the readings. API keys cannot delete, whatever their scopes, so a leaked key never "
        "wipes a history; staff delete only their own robots' readings here. 403 for a robot "
        "you do not own, whether or not it exists. Deleting again answers `deleted: 0`."
    ),
    responses={**AUTH_RESPONSES, **error_responses(422)},
)
async def delete_readings(
    request: Request,
    principal: Reader,
    robot_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,50}$")],
) -> dict[str, Any]:
    if principal.key_prefix is not None:
        raise ApiError(403, "Readings are deleted by the robot's owner, signed in: not by a key.")
    if robot_id not in await owned_robots(request, principal):
        raise ApiError(403, f"You may not delete the readings of robot {robot_id!r}.")
    engine = request.app.state.engine
    deleted = await run_in_threadpool(store.delete_robot_readings, engine, robot_id)
    return {"robot_id": robot_id, "deleted": deleted}


@router.get(
    "/live",
    summary="New readings as they arrive (Server-Sent Events)",
    description=(
        "A `text/event-stream` of the readings of every robot you may read (or of `robot`), "
        "as they are committed: `event: reading`, `id:` the reading id, `data:` the reading "
        "as JSON (see `Reading`). A comment line is sent as a heartbeat while nothing happens. "
        "A client reconnecting with `Last-Event-ID` (browsers do it by themselves) first gets "
        "every reading it missed. A stream opened with a key ends within 30 seconds of the key "
        "being revoked."
    ),
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "The event stream.",
            "content": {
                "text/event-stream": {
                    "schema": {"type": "string"},
                    "example": 'event: reading\nid: 1234\ndata: {"id":1234,"robot_id":'
                    '"rover-1-3f9a1c","ts":"2026-01-31T12:00:00.250Z",...}\n\n',
                }
            },
        },
        **AUTH_RESPONSES,
        **error_responses(422),
    },
)
async def live(
    request: Request,
    principal: Reader,
    robot: RobotFilter = None,
    last_event_id: Annotated[str | None, Header(max_length=20)] = None,
) -> EventSourceResponse:
    robots = narrow(await readable_robots(request, principal), robot)
    resume_from = None
    if last_event_id is not None and last_event_id.strip():
        if not last_event_id.strip().isdigit() or int(last_event_id) > MAX_STORED_INT:
            raise _bad_param("Last-Event-ID", "must be the id of a reading")
        resume_from = int(last_event_id)
    presented_key = _presented_key(request) if principal.key_prefix else None
    events = _live_events(request, robots, resume_from, presented_key)
    heartbeat = request.app.state.settings.heartbeat_seconds
    return EventSourceResponse(events, ping=heartbeat)


async def _live_events(
    request: Request,
    robots: frozenset[str] | None,
    resume_from: int | None,
    presented_key: str | None,
) -> AsyncIterator[ServerSentEvent]:
    engine = request.app.state.engine
    live_hub = hub(request)
    subscription = live_hub.subscribe(robots)  # before reading the backlog: nothing slips by
    # Where a catch-up after a gap starts: the resume point, or what was stored before now.
    last_id = resume_from
    if last_id is None:
        last_id = await run_in_threadpool(store.newest_id, engine)
    replayed: set[int] = set()
    try:
        yield ServerSentEvent(comment="stream open", retry=2000)
        if resume_from is not None:
            async for event, reading_id in _replay(engine, robots, resume_from):
                replayed.add(reading_id)
                last_id = reading_id
                yield event
        recheck = request.app.state.settings.key_recheck_seconds
        checked = time.monotonic()
        while True:
            if presented_key and time.monotonic() - checked >= recheck:
                # However busy the stream, a revoked key ends it within FRESH_SECONDS + this.
                if await principal_from_key(presented_key, directory(request)) is None:
                    return
                checked = time.monotonic()
            try:
                batch = await asyncio.wait_for(subscription.queue.get(), recheck)
            except TimeoutError:
                continue
            if batch is GAP:  # missed readings: fetch them from the database
                async for event, reading_id in _replay(engine, robots, last_id):
                    replayed.add(reading_id)
                    last_id = reading_id
                    yield event
                continue
            if replayed and batch[0][0] > max(replayed):
                replayed.clear()
            for reading_id, _robot, data in batch:
                if reading_id in replayed:
                    continue
                last_id = max(last_id, reading_id)
                yield ServerSentEvent(data, event="reading", id=str(reading_id))
    finally:
        live_hub.unsubscribe(subscription)


async def _replay(
    engine: Any, robots: frozenset[str] | None, after_id: int
) -> AsyncIterator[tuple[ServerSentEvent, int]]:
    while True:
        rows = await run_in_threadpool(store.readings_after, engine, after_id, robots, REPLAY_PAGE)
        for row in rows:
            data = json.dumps(row, separators=(",", ":"))
            yield ServerSentEvent(data, event="reading", id=str(row["id"])), row["id"]
        if len(rows) < REPLAY_PAGE:
            return
        after_id = rows[-1]["id"]


def hub(request: Request) -> LiveHub:
    return cast(LiveHub, request.app.state.live)


def _presented_key(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return request.headers.get("x-api-key")


def _bad_param(name: str, message: str) -> ApiError:
    return ApiError(
        422,
        f"`{name}` {message}.",
        [{"field": name, "message": message, "type": "value_error"}],
    )


def _encode_cursor(*values: int) -> str:
    text = ":".join(str(value) for value in values)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@overload
def _decode_cursor(cursor: str, parts: Literal[1]) -> tuple[int]: ...
@overload
def _decode_cursor(cursor: str, parts: Literal[2]) -> tuple[int, int]: ...
def _decode_cursor(cursor: str, parts: int) -> tuple[int, ...]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        values = tuple(int(part) for part in text.split(":"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = ()
    if len(values) != parts or not all(-1 <= value <= MAX_STORED_INT for value in values):
        raise _bad_param("cursor", "is not a cursor this endpoint returned")
    return values
