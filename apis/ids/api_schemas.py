"""Request and response bodies of the IDS API (the record itself is apis.ids.schemas)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from apis.ids.features import CLASSES, FEATURE_NAMES
from apis.ids.schemas import ConnectionRecord
from apis.ids.scoring import ATTACK, NORMAL_VERDICT
from apis.ids.store import (
    BENIGN_EXPECTED,
    CONFIRMED_ATTACK,
    FALSE_POSITIVE,
    LABELLED,
    LABELS,
    MAX_ID,
    NOTE_MAX_LENGTH,
    UNLABELLED,
)

MAX_BATCH = 10_000
MAX_BULK = 500  # predictions labelled in one request
# Printable text and line breaks: no NUL (PostgreSQL refuses it) nor other control characters.
NOTE_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"

# Row 1 of KDDTrain+_20Percent (a normal ftp_data transfer) and row 3 (a neptune SYN flood).
EXAMPLE_NORMAL: dict[str, Any] = dict(
    zip(
        ConnectionRecord.model_fields,
        [
            *(0, "tcp", "ftp_data", "SF", 491, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            *(2, 2, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 150, 25, 0.17, 0.03, 0.17, 0.0, 0.0, 0.0),
            *(0.05, 0.0),
        ],
        strict=True,
    )
)
EXAMPLE_NEPTUNE: dict[str, Any] = dict(
    zip(
        ConnectionRecord.model_fields,
        [
            *(0, "tcp", "private", "S0", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            *(123, 6, 1.0, 1.0, 0.0, 0.0, 0.05, 0.07, 0.0, 255, 26, 0.1, 0.05, 0.0, 0.0, 1.0, 1.0),
            *(0.0, 0.0),
        ],
        strict=True,
    )
)


class Verdict(StrEnum):
    normal = NORMAL_VERDICT
    attack = ATTACK


Category = StrEnum("Category", {name: name for name in CLASSES})  # type: ignore[misc]
Label = StrEnum("Label", {name: name for name in LABELS})  # type: ignore[misc]
LabelFilter = StrEnum(  # type: ignore[misc]
    "LabelFilter", {name: name for name in (*LABELS, LABELLED, UNLABELLED)}
)
PredictionId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]


class PredictBatch(BaseModel):
    """Up to 10,000 records scored and stored in one request."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"records": [EXAMPLE_NORMAL, EXAMPLE_NEPTUNE]}]},
    )

    records: list[ConnectionRecord] = Field(min_length=1, max_length=MAX_BATCH)


class Prediction(BaseModel):
    id: int = Field(description="prediction id: find it again in GET /api/ids/predictions")
    verdict: Verdict = Field(description="attack when score >= the model's threshold")
    category: Category = Field(
        description="normal when the verdict is normal, else the most probable attack class"
    )
    score: float = Field(
        ge=0,
        le=1,
        description="the attack score: P(attack) = 1 - P(normal) for forest-only versions; "
        "with a novelty half (2.0.0 on), the larger of two normal percentiles (the model card)",
    )
    probabilities: dict[str, float] = Field(description="per class: normal, DoS, Probe, R2L, U2R")
    unknown_values: dict[str, str] = Field(
        description="protocol_type/service/flag values the model never saw in training: "
        "the record is still scored, but treat the result with care"
    )
    model_version: str


class PredictResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "model_version": "1.0.0",
                    "threshold": 0.1875,
                    "count": 1,
                    "predictions": [
                        {
                            "id": 4211,
                            "verdict": "attack",
                            "category": "DoS",
                            "score": 1.0,
                            "probabilities": {
                                "normal": 0.0,
                                "DoS": 1.0,
                                "Probe": 0.0,
                                "R2L": 0.0,
                                "U2R": 0.0,
                            },
                            "unknown_values": {},
                            "model_version": "1.0.0",
                        }
                    ],
                }
            ]
        }
    )

    model_version: str
    threshold: float
    count: int
    predictions: list[Prediction] = Field(description="one per record, in request order")


class Triage(BaseModel):
    """An analyst's judgement of a prediction; a new one replaces it."""

    label: Label
    note: str | None
    labelled_by_user_id: int = Field(description="the user behind the session or API key")
    labelled_by: str = Field(description='"user:<id>", or "key:<prefix>" when set with a key')
    labelled_at: datetime


class StoredPrediction(Prediction):
    created_at: datetime
    source: str = Field(description='who sent it: "key:<prefix>" or "user:<id>"')
    features: ConnectionRecord = Field(description="the record as it was scored")
    triage: Triage | None = Field(description="the analysts' label; null when unlabelled")


class PredictionPage(BaseModel):
    total: int = Field(description="every prediction matching the filters (all pages)")
    items: list[StoredPrediction] = Field(description="newest first")
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next (older) page; null on the last page"
    )
    prev_cursor: str | None = Field(
        description="pass as ?cursor= for the previous (newer) page; null on the first page"
    )


class FeatureContribution(BaseModel):
    feature: Literal[FEATURE_NAMES]  # type: ignore[valid-type]
    value: str | float | int = Field(description="the record's value of the feature")
    contribution: float = Field(
        description="signed share of the score: > 0 pushed it towards attack, < 0 towards normal"
    )


class Explanation(BaseModel):
    available: bool
    method: Literal["saabas"] = Field(
        description="per-tree decision-path contributions (docs/ids-service.md)"
    )
    target: Literal["score", "forest_score"] = Field(
        description="what the contributions add up to: the score itself (forest-only versions) "
        "or forest_score, the forest's half of it (versions with a novelty half)"
    )
    model_version: str | None = Field(description="the model whose trees were walked")
    bias: float | None = Field(
        description="the trees' mean P(attack) at their roots: "
        "forest_score = bias + every contribution"
    )
    forest_score: float | None = Field(description="the forest's P(attack) = 1 - P(normal)")
    forest_percentile: float | None = Field(
        description="share of normal training connections the forest scored lower; "
        "null for forest-only versions"
    )
    novelty_percentile: float | None = Field(
        description="share of normal training connections lying closer to a normal neighbour "
        "of their service than this one does; the score is the larger of the two percentiles"
    )
    reason: str | None = Field(description="why there is no explanation, when unavailable")


class PredictionDetail(StoredPrediction):
    threshold: float | None = Field(description="the threshold of the model in service")
    explanation: Explanation
    top_features: list[FeatureContribution] = Field(
        description="the 5 largest contributions either way, largest first; [] if unavailable"
    )


_Note = Annotated[
    str | None,
    Field(
        max_length=NOTE_MAX_LENGTH,
        pattern=NOTE_PATTERN,
        description=f"up to {NOTE_MAX_LENGTH} characters; blank means none",
    ),
]


def _blank_is_none(value: str | None) -> str | None:
    return (value.strip() or None) if value is not None else None


class TriageRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"label": FALSE_POSITIVE, "note": "the lab's scanner"}]},
    )

    label: Label
    note: _Note = None

    _strip = field_validator("note")(_blank_is_none)


class BulkTriageRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ids": [4211, 4212], "label": CONFIRMED_ATTACK, "note": None},
                {"ids": [4213], "label": None},
            ]
        },
    )

    ids: list[PredictionId] = Field(min_length=1, max_length=MAX_BULK)
    label: Label | None = Field(description="null clears the labels of these predictions")
    note: _Note = None

    _strip = field_validator("note")(_blank_is_none)


class TriageResponse(BaseModel):
    id: int
    triage: Triage | None


class BulkTriageResponse(BaseModel):
    updated: int
    label: Label | None
    ids: list[int] = Field(description="the predictions changed, ascending")


class VersionPrecision(BaseModel):
    model_version: str
    alerts: int = Field(description="predictions with the verdict attack")
    labelled: int = Field(description="alerts with a triage label")
    confirmed: int = Field(description=f"alerts labelled {CONFIRMED_ATTACK}")
    false_positives: int = Field(description=f"alerts labelled {FALSE_POSITIVE}")
    benign_expected: int = Field(description=f"alerts labelled {BENIGN_EXPECTED}")
    precision: float | None = Field(
        description="confirmed / (confirmed + false_positives); null when neither was labelled"
    )
    missed: int = Field(description=f"normal verdicts labelled {CONFIRMED_ATTACK}")


class PrecisionResponse(BaseModel):
    serving_version: str | None = Field(description="the model this service is serving now")
    versions: list[VersionPrecision] = Field(
        description="every version with predictions in range, the most recently used first"
    )


class BucketCounts(BaseModel):
    start: datetime
    total: int
    verdicts: dict[str, int]
    categories: dict[str, int]


class SourceCounts(BaseModel):
    source: str
    total: int
    attacks: int


class StatsResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "since": "2026-11-28T00:00:00Z",
                    "until": "2026-11-28T02:00:00Z",
                    "bucket": "1h",
                    "bucket_seconds": 3600,
                    "range_from": {"since": "window", "until": "window"},
                    "labels": {
                        "confirmed_attack": 3,
                        "false_positive": 1,
                        "benign_expected": 0,
                        "unlabelled": 126,
                    },
                    "model_version": "1.0.0",
                    "model_versions": {"1.0.0": 130},
                    "total": 130,
                    "verdicts": {"normal": 100, "attack": 30},
                    "categories": {"normal": 100, "DoS": 25, "Probe": 5, "R2L": 0, "U2R": 0},
                    "buckets": [
                        {
                            "start": "2026-11-28T00:00:00Z",
                            "total": 80,
                            "verdicts": {"normal": 70, "attack": 10},
                            "categories": {
                                "normal": 70,
                                "DoS": 8,
                                "Probe": 2,
                                "R2L": 0,
                                "U2R": 0,
                            },
                        }
                    ],
                    "top_sources": [{"source": "key:k3v9x2ab", "total": 130, "attacks": 30}],
                }
            ]
        }
    )

    since: datetime
    until: datetime
    bucket: str
    bucket_seconds: int
    range_from: dict[Literal["since", "until"], Literal["window", "data", "default"]] = Field(
        description="each end: as asked (window), from the first/last match (data), or the "
        "default (until now, since 24 hours before) when nothing matches"
    )
    labels: dict[str, int] = Field(
        description="predictions per triage label, and those unlabelled (`unlabelled`)"
    )
    model_version: str | None = Field(description="the model this service is serving now")
    model_versions: dict[str, int] = Field(description="predictions per model version in range")
    total: int
    verdicts: dict[str, int]
    categories: dict[str, int]
    buckets: list[BucketCounts] = Field(description="every bucket of the range, oldest first")
    top_sources: list[SourceCounts]


# -- the model registry -------------------------------------------------------------


class ShadowComparison(BaseModel):
    version: str
    scored: int = Field(description="predict records this version scored in shadow")
    agreed: int = Field(description="of those, how many got the served verdict")
    alerts: int = Field(description="its attack verdicts")
    served_alerts: int = Field(description="the served attack verdicts on the same records")
    confirmed: int = Field(description=f"records labelled {CONFIRMED_ATTACK}")
    confirmed_caught: int = Field(description="... that this version called attack")
    false_positives: int = Field(description=f"records labelled {FALSE_POSITIVE}")
    false_positives_raised: int = Field(description="... that this version called attack")


class RegisteredVersion(BaseModel):
    version: str
    status: Literal["active", "shadow", "previous", "inactive"]
    sha256: str = Field(description="the artifact's SHA-256, checked whenever it is loaded")
    size_bytes: int
    trained_at: str | None
    candidate: str | None = Field(description="the algorithm training selected")
    threshold: float | None
    unseen_detection_macro: float | None = Field(
        description="leave-attack-types-out detection, macro-averaged over categories"
    )
    registered_at: datetime
    registered_by: str
    shadow_comparison: ShadowComparison | None


class RegistryEvent(BaseModel):
    at: datetime
    action: Literal["register", "promote", "rollback", "shadow", "unshadow"]
    version: str | None
    previous: str | None = Field(description="the version this change replaced")
    by: str


class RegistryResponse(BaseModel):
    active: str | None = Field(description="the version every replica serves")
    shadow: str | None = Field(description="the version scoring in shadow, if any")
    previous: str | None = Field(description="what a rollback would serve again")
    changed_at: datetime | None
    versions: list[RegisteredVersion] = Field(description="newest registration first")
    events: list[RegistryEvent] = Field(description="the latest changes, newest first")
