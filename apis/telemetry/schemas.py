"""What robots send and what readers get back (pydantic), with the rules for bad input."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from apis.common.timestamps import (
    LATEST,
    RANGE,
    check_epoch_ms,
    datetime_schema,
    epoch_ms,
    epoch_ms_schema,
)

MAX_BATCH = 1000
MAX_BODY_BYTES = 256 * 1024
MAX_EXTRA_BYTES = 2048
FUTURE_TOLERANCE_MS = 5 * 60 * 1000
EARLIEST_READING = datetime(2000, 1, 1, tzinfo=UTC)  # anything earlier is a unit mistake
EARLIEST_MS = epoch_ms(EARLIEST_READING)  # 946_684_800_000

Status = Literal["idle", "moving", "charging", "docked", "error", "offline"]
RobotId = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,50}$"),
    Field(description="The robot's public id, as shown on the owner's profile page."),
]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def to_epoch_ms(value: object) -> int:
    """An RFC 3339 timestamp with offset, or integer epoch milliseconds, as epoch ms (UTC).

    Not bounded here: EpochTime adds the range every API time is held to
    (apis.common.timestamps).
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            return epoch_ms(parsed)
    raise ValueError(
        "expected an RFC 3339 timestamp with a UTC offset (2026-01-31T12:00:00Z) "
        "or integer milliseconds since the Unix epoch"
    )


def format_ms(value: int) -> str:
    """Epoch milliseconds as RFC 3339 in UTC with milliseconds: 2026-01-31T12:00:00.123Z."""
    seconds, millis = divmod(value, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{millis:03d}Z"


# A time as epoch milliseconds, sent as RFC 3339 with an offset or as epoch ms, within the range
# every API time is held to (else a `time_out_of_range` error).
EpochTime = Annotated[int, BeforeValidator(to_epoch_ms), AfterValidator(check_epoch_ms)]

_TIMESTAMP_SCHEMA = {
    "anyOf": [
        datetime_schema(EARLIEST_READING, LATEST, example="2026-01-31T12:00:00.250Z"),
        epoch_ms_schema(EARLIEST_MS, example=1769860800250),
    ],
    "description": "RFC 3339 with a UTC offset, or epoch milliseconds; from 2000-01-01 to at "
    f"most 5 minutes ahead (and always {RANGE}).",
}


def reading_ms(value: object) -> int:
    """A reading's `ts` as epoch ms: parsed, held to the API's range, then to a reading's own
    (not before 2000, at most 5 minutes ahead). One validator rather than three chained
    ones: it runs for every reading of every batch, and each call into Python costs ingest
    about a fifth of its validation time."""
    value = check_epoch_ms(to_epoch_ms(value))
    if value < EARLIEST_MS:
        raise ValueError("before 2000-01-01: send milliseconds, not seconds")
    if value > now_ms() + FUTURE_TOLERANCE_MS:
        raise ValueError("more than 5 minutes in the future: check the robot's clock")
    return value


ReadingTime = Annotated[int, BeforeValidator(reading_ms), WithJsonSchema(_TIMESTAMP_SCHEMA)]

READING_EXAMPLE: dict[str, Any] = {
    "robot_id": "rover-1-3f9a1c",
    "ts": "2026-01-31T12:00:00.250Z",
    "seq": 42,
    "x": 12.5,
    "y": -3.25,
    "heading": 90.0,
    "speed": 0.8,
    "battery": 76.5,
    "status": "moving",
    "extra": {"temperature_c": 31.2},
}


class ReadingIn(BaseModel):
    """One reading as a robot posts it. Unknown fields are refused."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,  # "12" is not a number, true is not a battery level
        allow_inf_nan=False,
        json_schema_extra={"examples": [READING_EXAMPLE]},
    )

    robot_id: RobotId
    ts: ReadingTime
    seq: int | None = Field(
        None,
        ge=0,
        le=2**62,
        description="Optional counter: readings with the same robot, ts and seq are one reading.",
    )
    x: float = Field(ge=-1e9, le=1e9, description="Position, metres.")
    y: float = Field(ge=-1e9, le=1e9, description="Position, metres.")
    z: float | None = Field(None, ge=-1e9, le=1e9, description="Altitude, metres (optional).")
    heading: float = Field(ge=0, lt=360, description="Degrees clockwise from north, [0, 360).")
    speed: float = Field(ge=0, le=1000, description="Metres per second.")
    battery: float = Field(ge=0, le=100, description="Charge, percent.")
    status: Status
    extra: dict[str, Any] | None = Field(
        None, description="Small free-form JSON object, at most 2 KB once serialised."
    )

    @field_validator("extra")
    @classmethod
    def _small_plain_json(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        try:
            encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ValueError("NaN and Infinity are not JSON") from None
        if len(encoded.encode()) > MAX_EXTRA_BYTES:
            raise ValueError(f"larger than {MAX_EXTRA_BYTES} bytes once serialised")
        return value


class IngestResult(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"accepted": 99, "duplicates": 1}]},
    )

    accepted: int = Field(description="Readings stored by this request.")
    duplicates: int = Field(description="Readings already stored (retries); stored once.")


class Reading(BaseModel):
    """A stored reading."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{**READING_EXAMPLE, "id": 1234, "received_at": "2026-01-31T12:00:00.300Z"}]
        }
    )

    id: int = Field(description="Increases with arrival; SSE event id (Last-Event-ID).")
    robot_id: str
    ts: str = Field(description="RFC 3339, UTC, milliseconds.")
    seq: int | None
    x: float
    y: float
    z: float | None
    heading: float
    speed: float
    battery: float
    status: str
    extra: dict[str, Any] | None
    received_at: str


class LatestReadings(BaseModel):
    readings: list[Reading] = Field(description="The latest reading of each robot, by robot id.")


class ReadingPage(BaseModel):
    robot_id: str
    readings: list[Reading] = Field(description="Oldest first.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null: done.")


Bucket = Literal["1m", "5m", "15m", "1h", "1d"]
Aggregate = Literal["avg", "min", "max", "last", "count"]
BUCKET_MS: dict[str, int] = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "1h": 3_600_000,
    "1d": 86_400_000,
}


class BucketValues(BaseModel):
    start: str = Field(description="Start of the bucket, RFC 3339 UTC.")
    count: int = Field(description="Readings in the bucket.")
    x: float | None
    y: float | None
    z: float | None
    heading: float | None = Field(description="avg is arithmetic (359 and 1 average to 180).")
    speed: float | None
    battery: float | None


class BucketPage(BaseModel):
    robot_id: str
    bucket: Bucket
    agg: Aggregate
    buckets: list[BucketValues] = Field(description="Oldest first; empty buckets are left out.")
    next_cursor: str | None
