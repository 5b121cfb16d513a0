"""The IDS endpoints under /api/ids: predict, predictions, stats, model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ValidationError
from starlette.concurrency import run_in_threadpool

from apis.common.auth import AUTH_RESPONSES, Principal, require_scopes
from apis.common.errors import ApiError, ErrorBody, error_responses
from apis.common.timestamps import RANGE, UtcDateTime
from apis.ids import registry, store
from apis.ids.api_schemas import (
    EXAMPLE_NEPTUNE,
    EXAMPLE_NORMAL,
    MAX_BATCH,
    MAX_BULK,
    BulkTriageRequest,
    BulkTriageResponse,
    Category,
    LabelFilter,
    PrecisionResponse,
    PredictionDetail,
    PredictionPage,
    PredictResponse,
    RegistryResponse,
    StatsResponse,
    TriageRequest,
    TriageResponse,
    Verdict,
)
from apis.ids.artifact import ModelLoadError
from apis.ids.attribution import METHOD, TOP_FEATURES, attribute
from apis.ids.csv_export import csv_chunks
from apis.ids.scoring import RecordError
from apis.ids.service import MAX_ERROR_DETAILS, PredictError, predict
from apis.ids.serving import LoadedModel, Serving
from croody_core.scopes import SCOPE_IDS_ANALYST, SCOPE_IDS_MODELS, SCOPE_IDS_SCORE

# 10,000 records are about 9 MB of compact JSON; leave room for indented bodies.
MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_PAGE = 1000
# What a version name may hold (training's --version): never NUL, slashes or spaces.
VERSION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._+-]*$"

router = APIRouter(tags=["ids"])

# What every endpoint may answer besides 200: credentials, rate limit, bad input, outage.
_errors = AUTH_RESPONSES | error_responses(422, 503)


def _serving(request: Request) -> Serving:
    return cast(Serving, request.app.state.serving)


def _loaded_model(request: Request) -> LoadedModel:
    return _serving(request).current()


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


async def _read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes."""
    too_large = HTTPException(
        413,
        f"The body is larger than {limit // (1024 * 1024)} MB; send smaller batches."
        if limit >= 1024 * 1024
        else f"The body is larger than {limit // 1024} KB.",
    )
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
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
            predict,
            loaded.model,
            request.app.state.engine,
            body,
            source=principal.source,
            shadow=_serving(request).shadow,
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
    max_score: Annotated[
        float | None, Query(ge=0, le=1, allow_inf_nan=False, description="score at most this")
    ] = None,
    model_version: Annotated[
        str | None, Query(max_length=store.MODEL_VERSION_MAX_LENGTH, pattern=PRINTABLE)
    ] = None,
    source: SourceParam = None,
    unknown: Annotated[
        bool, Query(description="only records with protocol/service/flag values never seen")
    ] = False,
    label: Annotated[
        LabelFilter | None,
        Query(description="an analyst's label, or `labelled` / `unlabelled`"),
    ] = None,
) -> store.PredictionFilter:
    since_ms, until_ms = _ms_range(since, until)
    if min_score is not None and max_score is not None and min_score > max_score:
        raise HTTPException(422, "`min_score` must not be greater than `max_score`.")
    return store.PredictionFilter(
        since_ms=since_ms,
        until_ms=until_ms,
        verdict=verdict.value if verdict else None,
        category=category.value if category else None,
        min_score=min_score,
        max_score=max_score,
        model_version=model_version,
        source=source,
        unknown_only=unknown,
        label=label.value if label else None,
    )


def _triage(t: store.Triage | None) -> dict[str, Any] | None:
    if t is None:
        return None
    return {
        "label": t.label,
        "note": t.note,
        "labelled_by_user_id": t.labelled_by_user_id,
        "labelled_by": t.labelled_by,
        "labelled_at": t.labelled_at,
    }


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
        "triage": _triage(p.triage),
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
        str | None,
        Query(max_length=64, description="the next_cursor or prev_cursor of another page"),
    ] = None,
    format: Annotated[
        ExportFormat | None,
        Query(description="csv streams every match; default json, or CSV for Accept: text/csv"),
    ] = None,
) -> Any:
    """Newest first, filtered; needs `ids:analyst` (or a staff or analyst session).

    JSON answers one page, the number of matches (`total`), a `next_cursor` to older
    predictions and a `prev_cursor` back to newer ones. CSV (`format=csv` or
    `Accept: text/csv`) streams every match from the cursor on, one row per prediction
    with its probabilities, the 41 features and its triage.
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
        page = store.list_predictions(engine, where, limit=limit, cursor=cursor, count=True)
    except store.InvalidCursor as exc:
        raise HTTPException(422, str(exc)) from None
    return {
        "total": page.total,
        "items": [_page_item(p) for p in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
    }


PredictionIdParam = Annotated[
    int, PathParam(ge=1, le=store.MAX_ID, description="the prediction's id")
]


def _explain(serving: Serving, p: store.StoredPrediction) -> tuple[dict[str, Any], list[Any]]:
    """The explanation object and the top features of a stored prediction, by the version
    that scored it (kept in the registry)."""
    explanation: dict[str, Any] = {
        "available": False,
        "method": METHOD,
        "target": "score",
        "model_version": p.model_version,
        "bias": None,
        "forest_score": None,
        "forest_percentile": None,
        "novelty_percentile": None,
        "reason": None,
    }
    try:
        model = serving.model(p.model_version)
    except registry.UnknownVersion:
        # Another model's trees would explain a score this prediction never had.
        explanation["reason"] = f"Scored by model {p.model_version}, which is not in the registry."
        return explanation, []
    except ModelLoadError as exc:
        explanation["reason"] = f"The model is unavailable: {exc}"
        return explanation, []
    try:
        result = attribute(model, p.features)
        parts = model.novelty_parts([p.features])
    except (ValueError, RecordError) as exc:
        explanation["reason"] = f"This prediction cannot be explained: {exc}"
        return explanation, []
    explanation |= {"available": True, "bias": result.bias, "forest_score": result.score}
    if parts is not None:
        explanation |= {
            "target": "forest_score",
            "forest_percentile": float(parts.forest_percentile[0]),
            "novelty_percentile": float(parts.novelty_percentile[0]),
        }
    top = [
        {"feature": name, "value": p.features[name], "contribution": contribution}
        for name, contribution in result.top(TOP_FEATURES)
    ]
    return explanation, top


@router.get(
    "/predictions/{prediction_id}",
    summary="One prediction: its input, result, triage and the features that drove it",
    response_model=PredictionDetail,
    responses=_errors | error_responses(404),
)
def get_prediction(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    prediction_id: PredictionIdParam,
) -> Any:
    """The stored record and result, its triage, and `top_features`: the five features with
    the largest contributions to the forest's P(attack) (per-tree decision-path contributions,
    computed for this record on request; `forest_score = explanation.bias + every
    contribution`). For versions with a novelty half, the score is the larger of
    `forest_percentile` and `novelty_percentile` (docs/ids-service.md). Explained
    by the registered version that scored it, which the detail names. Needs `ids:analyst`.
    """
    p = store.get_prediction(request.app.state.engine, prediction_id)
    if p is None:
        raise HTTPException(404, f"No prediction has the id {prediction_id}.")
    serving = _serving(request)
    explanation, top = _explain(serving, p)
    try:
        threshold: float | None = serving.model(p.model_version).threshold
    except (registry.RegistryError, ModelLoadError):
        threshold = None
    return _page_item(p) | {
        "threshold": threshold,
        "explanation": explanation,
        "top_features": top,
    }


# -- triage ----------------------------------------------------------------------

MAX_TRIAGE_BODY_BYTES = 64 * 1024  # 500 ids and a note take about 14 KB
_Body = TypeVar("_Body", bound=BaseModel)


def _json_body_spec(model: type[BaseModel]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


async def _parse_body(request: Request, model: type[_Body]) -> _Body:
    """The JSON body as `model`: 415 for another media type, 413 over 64 KB, 422 when it is
    not valid (with the error body's details)."""
    content_type = request.headers.get("content-type", "").lower()
    if "json" not in content_type.split(";")[0]:
        raise HTTPException(415, "Send the body as JSON (Content-Type: application/json).")
    body = await _read_body(request, MAX_TRIAGE_BODY_BYTES)
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False, include_context=False)
        details = [
            {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
            for error in errors[:MAX_ERROR_DETAILS]
        ]
        raise ApiError(422, "The request is not valid.", details) from None


def _set_triage(
    request: Request, principal: Principal, ids: list[int], label: str | None, note: str | None
) -> list[int]:
    """store.set_triage as the caller; raises store.UnknownPredictions."""
    return store.set_triage(
        request.app.state.engine,
        ids,
        label,
        note=note if label is not None else None,
        user_id=principal.user_id,
        by=principal.source,
    )


def _set_one(
    request: Request, principal: Principal, prediction_id: int, label: str | None, note: str | None
) -> dict[str, Any]:
    try:
        _set_triage(request, principal, [prediction_id], label, note)
    except store.UnknownPredictions:
        raise HTTPException(404, f"No prediction has the id {prediction_id}.") from None
    p = store.get_prediction(request.app.state.engine, prediction_id)
    return {"id": prediction_id, "triage": _triage(p.triage) if p else None}


@router.put(
    "/predictions/{prediction_id}/triage",
    summary="Label one prediction",
    response_model=TriageResponse,
    responses=_errors | error_responses(404, 413, 415),
    openapi_extra=_json_body_spec(TriageRequest),
)
async def put_triage(
    request: Request,
    principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    prediction_id: PredictionIdParam,
) -> Any:
    """Mark the prediction `confirmed_attack`, `false_positive` or `benign_expected`, with an
    optional note; replaces any earlier label, recording who set it (the caller) and when.
    Needs `ids:analyst`.
    """
    body = await _parse_body(request, TriageRequest)
    return await run_in_threadpool(
        _set_one, request, principal, prediction_id, body.label.value, body.note
    )


@router.delete(
    "/predictions/{prediction_id}/triage",
    summary="Clear the label of one prediction",
    response_model=TriageResponse,
    responses=_errors | error_responses(404),
)
def delete_triage(
    request: Request,
    principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    prediction_id: PredictionIdParam,
) -> Any:
    """Idempotent: clearing an unlabelled prediction changes nothing. Needs `ids:analyst`."""
    return _set_one(request, principal, prediction_id, None, None)


@router.post(
    "/triage",
    summary=f"Label (or clear) up to {MAX_BULK} predictions at once",
    response_model=BulkTriageResponse,
    responses=_errors | error_responses(404, 413, 415),
    openapi_extra=_json_body_spec(BulkTriageRequest),
)
async def bulk_triage(
    request: Request,
    principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
) -> Any:
    """All or nothing: when any id is no prediction, 404 lists them and nothing changes.
    `label: null` clears the labels. Needs `ids:analyst`.
    """
    body = await _parse_body(request, BulkTriageRequest)
    label = body.label.value if body.label else None
    try:
        ids = await run_in_threadpool(_set_triage, request, principal, body.ids, label, body.note)
    except store.UnknownPredictions as exc:
        missing = exc.ids[:MAX_ERROR_DETAILS]
        detail = {"loc": ["body", "ids"], "msg": "no such prediction", "type": "not_found"}
        raise ApiError(
            404,
            f"{len(exc.ids)} of these ids are no prediction; nothing was changed.",
            [detail | {"ids": missing}],
        ) from None
    return {"updated": len(ids), "label": label, "ids": ids}


# -- stats -----------------------------------------------------------------------


class BucketSize(StrEnum):
    m1 = "1m"
    m5 = "5m"
    m15 = "15m"
    h1 = "1h"
    h6 = "6h"
    d1 = "1d"
    d7 = "7d"
    d30 = "30d"


@router.get(
    "/stats",
    summary="Counts per verdict, category and label over time, top sources",
    response_model=StatsResponse,
    responses=_errors,
)
def get_stats(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    where: Annotated[store.PredictionFilter, Depends(prediction_filter)],
    bucket: Annotated[
        BucketSize | None,
        Query(description=f"bucket width; default: the smallest giving <= {store.AUTO_BUCKETS}"),
    ] = None,
    top: Annotated[int, Query(ge=1, le=100, description="how many top sources")] = 10,
) -> Any:
    """Takes every filter of GET /predictions, so the counts describe the same predictions.

    The range is [since, until); an end left open follows the matching predictions (the
    first one, just after the last one), or, when none match, until = now and since = 24
    hours before (not before 1970). `range_from` says which. Needs `ids:analyst` (or a
    staff or analyst session).
    """
    try:
        result, name = store.range_stats(
            request.app.state.engine,
            where,
            bucket=bucket.value if bucket else None,
            top=top,
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
        "range_from": {"since": result.since_from, "until": result.until_from},
        "model_version": loaded.model.version if loaded.model else None,
        "model_versions": result.model_versions,
        "total": result.total,
        "verdicts": verdicts,
        "categories": categories,
        "labels": result.labels,
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
        "shadow_version": _serving(request).state.shadow,
    }
    return JSONResponse(loaded.model.metadata | {"serving": serving})


@router.get(
    "/model/precision",
    summary="Precision of the alerts per model version, from the analysts' labels",
    response_model=PrecisionResponse,
    responses=_errors,
)
def get_precision(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
    since: Since = None,
    until: Until = None,
    source: SourceParam = None,
) -> Any:
    """Per model version: its alerts (attack verdicts) in [since, until), how many analysts
    labelled, confirmed or called false positives, and precision = confirmed / (confirmed +
    false positives), null before any such label; `benign_expected` counts in neither. Also
    `missed`: normal verdicts labelled `confirmed_attack`. Needs `ids:analyst`.
    """
    since_ms, until_ms = _ms_range(since, until)
    where = store.PredictionFilter(since_ms=since_ms, until_ms=until_ms, source=source)
    loaded = _loaded_model(request)
    return {
        "serving_version": loaded.model.version if loaded.model else None,
        "versions": [
            {
                "model_version": v.model_version,
                "alerts": v.alerts,
                "labelled": v.labelled,
                "confirmed": v.confirmed,
                "false_positives": v.false_positives,
                "benign_expected": v.benign_expected,
                "precision": v.precision,
                "missed": v.missed,
            }
            for v in store.precision_by_version(request.app.state.engine, where)
        ],
    }


@router.get(
    "/model/confusion-matrix.svg",
    summary="The confusion matrices of the active model's validation (SVG)",
    response_class=Response,
    responses=_errors | {200: {"content": {"image/svg+xml": {}}}, 404: {"model": ErrorBody}},
)
def get_confusion_matrix(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_SCORE, SCOPE_IDS_ANALYST))],
    version: Annotated[
        str | None,
        Query(
            max_length=store.MODEL_VERSION_MAX_LENGTH,
            pattern=VERSION_PATTERN,
            description="a registered version; default: the active one",
        ),
    ] = None,
) -> Response:
    """Drawn at training time beside the model (a picture: it runs no script). Needs
    `ids:score` or `ids:analyst`."""
    loaded = _serving_model(request)
    assert loaded.model is not None  # noqa: S101 -- _serving_model checked it
    svg = registry.confusion_svg(request.app.state.engine, version or loaded.model.version)
    if svg is None:
        raise HTTPException(404, "This model has no confusion matrix.")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


# -- the registry ------------------------------------------------------------------

VersionParam = Annotated[
    str,
    PathParam(
        min_length=1,
        max_length=store.MODEL_VERSION_MAX_LENGTH,
        pattern=VERSION_PATTERN,
        description="a registered version, as training named it",
    ),
]


def _registry_body(request: Request) -> dict[str, Any]:
    engine = request.app.state.engine
    current = registry.state(engine)
    comparisons = registry.shadow_comparisons(engine)
    return {
        "active": current.active,
        "shadow": current.shadow,
        "previous": current.previous,
        "changed_at": store.from_ms(current.changed_ms) if current.changed_ms else None,
        "versions": [
            {
                "version": v.version,
                "status": current.status_of(v.version),
                "sha256": v.sha256,
                "size_bytes": v.size_bytes,
                "trained_at": v.card.get("trained_at"),
                "candidate": v.card.get("model", {}).get("candidate"),
                "threshold": v.card.get("threshold"),
                "unseen_detection_macro": registry.unseen_detection_macro(v.card),
                "registered_at": store.from_ms(v.registered_ms),
                "registered_by": v.registered_by,
                "shadow_comparison": asdict(comparisons[v.version])
                if v.version in comparisons
                else None,
            }
            for v in registry.versions(engine)
        ],
        "events": [
            {
                "at": store.from_ms(e.at_ms),
                "action": e.action,
                "version": e.version,
                "previous": e.previous,
                "by": e.by,
            }
            for e in registry.events(engine)
        ],
    }


@router.get(
    "/models",
    summary="The model registry: every version, the active one, the shadow one, the history",
    response_model=RegistryResponse,
    responses=_errors,
)
def list_models(
    request: Request,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_ANALYST))],
) -> Any:
    """Each registered version with its hash, training date, unseen-attack detection and,
    for versions that ran in shadow, how their verdicts compared with the served ones and
    with the analysts' labels. Needs `ids:analyst`."""
    return _registry_body(request)


@router.get(
    "/models/{version}",
    summary="The card of one registered version",
    response_model=dict[str, Any],
    responses=_errors | error_responses(404),
)
def get_model_version(
    request: Request,
    version: VersionParam,
    _principal: Annotated[Principal, Depends(require_scopes(SCOPE_IDS_SCORE, SCOPE_IDS_ANALYST))],
) -> JSONResponse:
    """The metadata training wrote for this version. Needs `ids:score` or `ids:analyst`."""
    try:
        card = registry.card(request.app.state.engine, version)
    except registry.UnknownVersion as exc:
        raise HTTPException(404, str(exc)) from None
    return JSONResponse(card)


def _change(request: Request, action: Callable[[], registry.RegistryState]) -> dict[str, Any]:
    try:
        current = action()
    except registry.RegistryError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    _serving(request).changed(current)
    return _registry_body(request)


_ModelsWriter = Annotated[Principal, Depends(require_scopes(SCOPE_IDS_MODELS))]
_change_errors = _errors | error_responses(404, 409)


@router.post(
    "/models/{version}/promote",
    summary="Serve this version from now on",
    response_model=RegistryResponse,
    responses=_change_errors,
)
def promote_model(request: Request, version: VersionParam, principal: _ModelsWriter) -> Any:
    """The version serves every replica within seconds (this one at once); the one it
    replaces becomes `previous`, what `rollback` restores. Needs `ids:models`."""
    engine = request.app.state.engine
    return _change(request, lambda: registry.promote(engine, version, by=principal.source))


@router.post(
    "/models/rollback",
    summary="Serve the previously active version again",
    response_model=RegistryResponse,
    responses=_change_errors,
)
def rollback_model(request: Request, principal: _ModelsWriter) -> Any:
    """409 when no version served before this one. Needs `ids:models`."""
    engine = request.app.state.engine
    return _change(request, lambda: registry.rollback(engine, by=principal.source))


@router.put(
    "/models/shadow/{version}",
    summary="Run this version in shadow",
    response_model=RegistryResponse,
    responses=_change_errors,
)
def shadow_model(request: Request, version: VersionParam, principal: _ModelsWriter) -> Any:
    """It scores every predict request after the active version; its verdicts are stored,
    compared in `GET /models`, and never returned. Needs `ids:models`."""
    engine = request.app.state.engine
    return _change(request, lambda: registry.set_shadow(engine, version, by=principal.source))


@router.delete(
    "/models/shadow",
    summary="Stop the shadow version",
    response_model=RegistryResponse,
    responses=_change_errors,
)
def unshadow_model(request: Request, principal: _ModelsWriter) -> Any:
    """Its stored verdicts are kept. Needs `ids:models`."""
    engine = request.app.state.engine
    return _change(request, lambda: registry.clear_shadow(engine, by=principal.source))
