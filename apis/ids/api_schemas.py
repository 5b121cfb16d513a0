"""Request and response bodies of the IDS API (the record itself is apis.ids.schemas)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from apis.ids.features import CLASSES
from apis.ids.schemas import ConnectionRecord
from apis.ids.scoring import ATTACK, NORMAL_VERDICT

MAX_BATCH = 10_000

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
    score: float = Field(ge=0, le=1, description="P(attack) = 1 - P(normal)")
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


class StoredPrediction(Prediction):
    created_at: datetime
    source: str = Field(description='who sent it: "key:<prefix>" or "user:<id>"')
    features: ConnectionRecord = Field(description="the record as it was scored")


class PredictionPage(BaseModel):
    items: list[StoredPrediction] = Field(description="newest first")
    next_cursor: str | None = Field(
        description="pass as ?cursor= for the next page; null on the last page"
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
    model_version: str | None = Field(description="the model this service is serving now")
    model_versions: dict[str, int] = Field(description="predictions per model version in range")
    total: int
    verdicts: dict[str, int]
    categories: dict[str, int]
    buckets: list[BucketCounts] = Field(description="every bucket of the range, oldest first")
    top_sources: list[SourceCounts]
