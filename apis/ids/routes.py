"""The IDS endpoints under /api/ids: predict, predictions, stats, model."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from apis.common.auth import AUTH_RESPONSES, Principal, require_scopes
from apis.common.errors import ErrorBody, error_responses
from apis.common.timestamps import RANGE, UtcDateTime
from apis.ids import store
from apis.ids.api_schemas import (
    EXAMPLE_NEPTUNE,
    EXAMPLE_NORMAL,
    MAX_BATCH,
    Category,
    PredictionPage,
    PredictResponse,
    StatsResponse,
    Verdict,
)
from apis.ids.artifact import CONFUSION_MATRIX_NAME
from apis.ids.csv_export import csv_chunks
from apis.ids.service import LoadedModel, PredictError, predict
from croody_core.scopes import SCOPE_IDS_ANALYST, SCOPE_IDS_SCORE

# 10,000 records are about 9 MB of compact JSON; leave room for indented bodies.
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_PAGE = 1000

router = APIRouter(tags=["ids"])

# What every endpoint may answer besides 200: credentials, rate limit, bad input, outage.
_errors = AUTH_RESPONSES | error_responses(422, 503)


def _loaded_model(request: Request) -> LoadedModel:
    return cast(LoadedModel, request.app.state.loaded_model)


def _serving_model(request: Request) -> LoadedModel:
    loaded = _loaded_model(request)
    if loaded.model is None:
        raise HTTPException(503, f"The model is unavailable: {loaded.error}")
    return loaded


# -- predict ---------------------------------------------------------------------

_PREDICT_BODY = {
    "required": True,
    "description": f'One record (the 41 named NSL-KDD features) or `{{"records": [...]}}` '
    f"with 1 to {MAX_BATCH} of them.",
    "content": {
        "application/json": {
            "schema": {
                "oneOf": [
                    {"$ref": "#/components/schemas/ConnectionRecord"},
                    {"$ref": "#/components/schemas/PredictBatch"},
                ]
            },
            "examples": {
                "one record": {"summary": "a normal ftp_data transfer", "value": EXAMPLE_NORMAL},
                "batch": {
                    "summary": "a batch: a normal transfer and a SYN flood",
                    "value": {"records": [EXAMPLE_NORMAL, EXAMPLE_NEPTUNE]},
                },
                "unknown service": {
                    "summary": "a service the model never saw: scored and flagged",
                    "value": EXAMPLE_NORMAL | {"service": "quic"},
                },
            },
        }
    },
}


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes MAX_BODY_BYTES."""
    too_large = HTTPException(
        413, f"The body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MB; send smaller batches."
    )
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/predict",
    summary="Score connection records",
    response_model=PredictResponse,
    responses=_errors | error_responses(413, 415),
    openapi_extra={"requestBody": _PREDICT_BODY},
)
async def predict_records(
    request: Request, principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_SCORE))]
) -> Response:
    """Score one record or a batch and store every prediction (input, source, time, result).

    Each record gets a binary verdict from the model's tuned threshold, the attack
    category with the probability of each class, the model version and the id of
    the stored prediction. Values of protocol_type, service or flag that the model
    never saw are scored anyway and listed in `unknown_values`. Needs `ids:score`.
    """
    loaded = _serving_model(request)
    assert loaded.model is not None  # noqa: S101 -- _serving_model checked it
    content_type = request.headers.get("content-type", "application/json").lower()
    if "json" not in content_type.split(";")[0]:
        raise HTTPException(415, "Send the records as JSON (Content-Type: application/json).")
    body = await _read_body(request)
    try:
        content = await run_in_threadpool(
            predict, loaded.model, request.app.state.engine, body, source=principal.source
        )
    except PredictError as exc:
        return JSONResponse(exc.body, status_code=exc.status)
    return Response(content, media_type="application/json")


# -- predictions -----------------------------------------------------------------


class ExportFormat(StrEnum):
    json = "json"
    csv = "csv"


def _ms_range(since: datetime | None, until: datetime | None) -> tuple[int | None, int | None]:
    try:
        return store.range_ms(since, until)
    except store.InvalidRange as exc:
        raise HTTPException(422, str(exc)) from None


# Times are bounded (apis.common.timestamps): outside the range, 422 `time_out_of_range`.
Since = Annotated[
    UtcDateTime | None,
    Query(description=f"from this time (ISO 8601, inclusive; UTC if no offset), {RANGE}"),
]
Until = Annotated[
    UtcDateTime | None,
    Query(description=f"before this time (ISO 8601, exclusive; UTC if no offset), {RANGE}"),
]
# Filters are printable text: PostgreSQL cannot even compare a string holding NUL.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
SourceParam = Annotated[
    str | None,
    Query(
        max_length=store.SOURCE_MAX_LENGTH,
        pattern=PRINTABLE,
        description='who sent the records: "key:<prefix>" or "user:<id>"',
    ),
]


def prediction_filter(
    since: Since = None,
    until: Until = None,
    verdict: Annotated[Verdict | None, Query()] = None,
    category: Annotated[Category | None, Query()] = None,
    min_score: Annotated[
        float | None, Query(ge=0, le=1, allow_inf_nan=False, description="score at least this")
    ] = None,
    model_version: Annotated[
        str | None, Query(max_length=store.MODEL_VERSION_MAX_LENGTH, pattern=PRINTABLE)
    ] = None,
    source: SourceParam = None,
    unknown: Annotated[
        bool, Query(description="only records with protocol/service/flag values never seen")
    ] = False,
) -> store.PredictionFilter:
    since_ms, until_ms = _ms_range(since, until)
    return store.PredictionFilter(
        since_ms=since_ms,
        until_ms=until_ms,
        verdict=verdict.value if verdict else None,
        category=category.value if category else None,
        min_score=min_score,
        model_version=model_version,
        source=source,
        unknown_only=unknown,
    )


def _page_item(p: store.StoredPrediction) -> dict[str, Any]:
    return {
        "id": p.id,
        "created_at": p.created_at,
        "source": p.source,
        "model_version": p.model_version,
        "verdict": p.verdict,
        "category": p.category,
        "score": p.score,
        "probabilities": p.probabilities,
        "unknown_values": p.unknown_values,
        "features": p.features,
    }


@router.get(
    "/predictions",
    summary="Query stored predictions (JSON or CSV)",
    response_model=PredictionPage,
    responses=_errors
    | {
        200: {
            "description": "a page of predictions (JSON), or every match as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
def list_predictions(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    where: Annotated[store.PredictionFilter, Depends(prediction_filter)],
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page size (JSON)")] = 100,
    cursor: Annotated[
        str | None, Query(max_length=64, description="next_cursor of the previous page")
    ] = None,
    format: Annotated[
        ExportFormat | None,
        Query(description="csv streams every match; default json, or CSV for Accept: text/csv"),
    ] = None,
) -> Any:
    """Newest first, filtered; needs `ids:analyst` (or a staff or analyst session).

    JSON answers one page and a `next_cursor`. CSV (`format=csv` or
    `Accept: text/csv`) streams every match from the cursor on, one row per
    prediction with its probabilities and the 41 features.
    """
    engine = request.app.state.engine
    wants_csv = format is ExportFormat.csv or (
        format is None and "text/csv" in request.headers.get("accept", "")
    )
    try:
        if cursor is not None:
            store.decode_cursor(cursor)  # refuse a bad cursor before streaming starts
        if wants_csv:
            return StreamingResponse(
                csv_chunks(store.iter_predictions(engine, where, cursor=cursor)),
                media_type="text/csv; charset=utf-8",
                headers={
                    "Content-Disposition": 'attachment; filename="ids-predictions.csv"',
                    "Cache-Control": "no-store",
                },
            )
        page = store.list_predictions(engine, where, limit=limit, cursor=cursor)
    except store.InvalidCursor as exc:
        raise HTTPException(422, str(exc)) from None
    return {"items": [_page_item(p) for p in page.items], "next_cursor": page.next_cursor}


# -- stats -----------------------------------------------------------------------


class BucketSize(StrEnum):
    m1 = "1m"
    m5 = "5m"
    m15 = "15m"
    h1 = "1h"
    h6 = "6h"
    d1 = "1d"


@router.get(
    "/stats",
    summary="Counts per verdict and category over time, top sources",
    response_model=StatsResponse,
    responses=_errors,
)
def get_stats(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    since: Annotated[
        UtcDateTime | None,
        Query(description=f"default: 24 hours before `until` (not before 1970); {RANGE}"),
    ] = None,
    until: Annotated[UtcDateTime | None, Query(description=f"default: now; {RANGE}")] = None,
    bucket: Annotated[
        BucketSize | None,
        Query(description=f"bucket width; default: the smallest giving <= {store.AUTO_BUCKETS}"),
    ] = None,
    top: Annotated[int, Query(ge=1, le=100, description="how many top sources")] = 10,
    source: SourceParam = None,
) -> Any:
    """Needs `ids:analyst` (or a staff or analyst session)."""
    try:
        result, name = store.range_stats(
            request.app.state.engine,
            since=since,
            until=until,
            bucket=bucket.value if bucket else None,
            top=top,
            source=source,
        )
    except store.InvalidRange as exc:
        raise HTTPException(422, str(exc)) from None
    verdicts: dict[str, int] = {}
    categories: dict[str, int] = {}
    for b in result.buckets:
        for key, n in b.verdicts.items():
            verdicts[key] = verdicts.get(key, 0) + n
        for key, n in b.categories.items():
            categories[key] = categories.get(key, 0) + n
    loaded = _loaded_model(request)
    return {
        "since": store.from_ms(result.since_ms),
        "until": store.from_ms(result.until_ms),
        "bucket": name,
        "bucket_seconds": store.BUCKETS[name],
        "model_version": loaded.model.version if loaded.model else None,
        "model_versions": result.model_versions,
        "total": result.total,
        "verdicts": verdicts,
        "categories": categories,
        "buckets": [
            {
                "start": store.from_ms(b.start_ms),
                "total": b.total,
                "verdicts": b.verdicts,
                "categories": b.categories,
            }
            for b in result.buckets
        ],
        "top_sources": [
            {"source": s.source, "total": s.total, "attacks": s.attacks} for s in result.top_sources
        ],
    }


# -- model -----------------------------------------------------------------------


@router.get(
    "/model",
    summary="The model card: metadata of the model in service",
    response_model=dict[str, Any],
    responses=_errors,
)
def get_model(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_SCORE, SCOPE_IDS_ANALYST))],
) -> JSONResponse:
    """Version, training date, data set and its SHA-256, library versions, feature schema,
    classes, threshold and decision rule, validation metrics, the artifact's SHA-256; plus
    `serving` (when and how fast this process loaded it). Needs `ids:score` or `ids:analyst`.
    """
    loaded = _serving_model(request)
    assert loaded.model is not None  # noqa: S101 -- _serving_model checked it
    serving = {
        "loaded_at": loaded.loaded_at.isoformat(),
        "load_seconds": round(loaded.load_seconds, 4),
        "fast_path": loaded.model.uses_fast_path,
    }
    return JSONResponse(loaded.model.metadata | {"serving": serving})


@router.get(
    "/model/confusion-matrix.svg",
    summary="The confusion matrices of the model's validation (SVG)",
    response_class=FileResponse,
    responses=_errors | {200: {"content": {"image/svg+xml": {}}}, 404: {"model": ErrorBody}},
)
def get_confusion_matrix(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_SCORE, SCOPE_IDS_ANALYST))],
) -> FileResponse:
    """Drawn at training time beside the model (a picture: it runs no script). Needs
    `ids:score` or `ids:analyst`."""
    path = Path(request.app.state.settings.model_dir) / CONFUSION_MATRIX_NAME
    if not path.is_file():
        raise HTTPException(404, "This model has no confusion matrix.")
    return FileResponse(path, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})
