"""The predict pipeline.

Kept free of HTTP so the benchmark can time the same code in process:
body bytes -> validated records -> scores -> stored rows -> response bytes.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from pydantic_core import to_json
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from apis.ids.api_schemas import MAX_BATCH, PredictBatch
from apis.ids.features import CATEGORICAL_FEATURES, CLASSES
from apis.ids.registry import store_shadow
from apis.ids.schemas import ConnectionRecord
from apis.ids.scoring import IdsModel, RecordError, gc_paused
from apis.ids.store import VERDICTS, insert_predictions
from croody_core.errors import error_body
from observability.metrics import IDS_ALERTS

log = logging.getLogger("croody.ids")
# Validation errors listed in a 422 body; a bad 10,000-record batch would list 400,000.
MAX_ERROR_DETAILS = 50
# A record is at least this many bytes of JSON (its 41 names alone take about 740), so a
# body's size bounds its record count before it is parsed.
MIN_RECORD_BYTES = 512


class PredictError(Exception):
    """A request the pipeline refuses: carries the status and the error body."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(body["message"])
        self.status = status
        self.body = body


def _validation_error(exc: ValidationError) -> PredictError:
    errors = exc.errors(include_url=False, include_input=False, include_context=False)
    for error in errors:
        if error["type"] == "too_long" and tuple(error["loc"]) == ("records",):
            return PredictError(
                413,
                error_body(
                    413,
                    f"A batch holds at most {MAX_BATCH} records; split it into several requests.",
                ),
            )
    details = [
        {"loc": ["body", *error["loc"]], "msg": error["msg"], "type": error["type"]}
        for error in errors[:MAX_ERROR_DETAILS]
    ]
    count = exc.error_count()
    message = "The request is not valid."
    if count > MAX_ERROR_DETAILS:
        message += f" {count} errors; the first {MAX_ERROR_DETAILS} are listed."
    return PredictError(422, error_body(422, message, details))


def _not_a_batch(exc: ValidationError) -> bool:
    """The body is no {"records": [...]} object at all (so it may be one record)."""
    return any(
        (error["type"] == "missing" and error["loc"] == ("records",))
        or (error["type"] == "model_type" and error["loc"] == ())
        for error in exc.errors(include_url=False, include_input=False, include_context=False)
    )


def parse_records(body: bytes) -> list[ConnectionRecord]:
    """The records of a predict body: a batch object, or one record (PredictRequest).

    Validated straight from the JSON bytes by pydantic-core. A batch is tried first: the
    union type would first build the whole body as Python objects to choose a branch,
    which makes a 10,000-record batch about 1.8 times slower to validate.
    """
    try:
        return PredictBatch.model_validate_json(body).records
    except ValidationError as exc:
        if not _not_a_batch(exc):
            raise _validation_error(exc) from None
    try:
        return [ConnectionRecord.model_validate_json(body)]
    except ValidationError as exc:
        raise _validation_error(exc) from None


def predict(
    model: IdsModel,
    engine: Engine,
    body: bytes,
    *,
    source: str,
    shadow: IdsModel | None = None,
) -> bytes:
    """Validate, score and store a predict request body; return the JSON response.

    A `shadow` model scores the same records after they are stored; its verdicts are
    stored beside them (apis.ids.registry) and never change the answer.

    Raises PredictError (422 invalid, 413 too many records). Large bodies are handled with
    the cyclic garbage collector paused, as the scorer does for large batches: validating
    and answering 10,000 records creates some 200,000 objects, none of them in cycles, and
    collections triggered meanwhile took most of the request's time.
    """
    with gc_paused(len(body) // MIN_RECORD_BYTES):
        return _predict(model, engine, body, source=source, shadow=shadow)


def count_alerts(is_attack: list[bool], category_index: list[int]) -> None:
    """Attacks per category, once stored, for the dashboard and the IdsAlertBurst alert."""
    per_category: dict[str, int] = {}
    for attack, category in zip(is_attack, category_index, strict=True):
        if attack:
            per_category[CLASSES[category]] = per_category.get(CLASSES[category], 0) + 1
    for name, count in per_category.items():
        IDS_ALERTS.labels(name).inc(count)


def _score_in_shadow(
    shadow: IdsModel, engine: Engine, features: list[dict[str, Any]], ids: list[int]
) -> None:
    try:
        scores = shadow.score_batch(features)
        store_shadow(engine, ids, scores, version=shadow.version)
    except (RecordError, SQLAlchemyError) as exc:  # the served answer stands regardless
        log.error("IDS shadow model %s could not score a batch: %s", shadow.version, exc)


def _predict(
    model: IdsModel, engine: Engine, body: bytes, *, source: str, shadow: IdsModel | None
) -> bytes:
    records = parse_records(body)
    # A validated record's __dict__ holds exactly its 41 features: no copy needed.
    features = [record.__dict__ for record in records]
    try:
        scores = model.score_batch(features)
    except RecordError as exc:  # the schema should make this unreachable; never a 500
        raise PredictError(422, error_body(422, str(exc))) from None
    ids = insert_predictions(engine, records, scores, source=source, model_version=model.version)
    if shadow is not None:
        _score_in_shadow(shadow, engine, features, ids)
    count_alerts(scores.is_attack.tolist(), scores.category_index.tolist())
    version = model.version
    unknown = scores.unknown.tolist()
    predictions = [
        {
            "id": prediction_id,
            "verdict": VERDICTS[is_attack],
            "category": CLASSES[category],
            "score": score,
            "probabilities": dict(zip(CLASSES, proba, strict=True)),
            "unknown_values": {
                name: scores.categorical[j][i]
                for j, name in enumerate(CATEGORICAL_FEATURES)
                if unknown[i][j]
            }
            if any(unknown[i])
            else {},
            "model_version": version,
        }
        for i, (prediction_id, is_attack, category, score, proba) in enumerate(
            zip(
                ids,
                scores.is_attack.tolist(),
                scores.category_index.tolist(),
                scores.score.tolist(),
                scores.proba.tolist(),
                strict=True,
            )
        )
    ]
    return to_json(
        {
            "model_version": version,
            "threshold": model.threshold,
            "count": len(predictions),
            "predictions": predictions,
        }
    )
