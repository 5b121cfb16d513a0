"""The range of time every Croody API accepts, checked once for every time parameter.

A time a client sends (a query parameter such as `since` or `from`, a reading's `ts`) must lie
between EARLIEST and LATEST, both included, whatever the UTC offset it is written with: far
enough from the ends of Python's calendar (years 1 and 9999) that no conversion to UTC, no
default window computed from it and no bucket arithmetic on it can overflow into a 500.

`UtcDateTime` is the type of such a time as a datetime (a naive one is read as UTC), returned
in UTC; `check_epoch_ms` bounds the same range as integer milliseconds since the Unix epoch.
Outside it, pydantic reports a `time_out_of_range` error, which the services answer with 422
and the error body (apis.common.errors). The OpenAPI schema states the bounds: `minimum` and
`maximum` for epoch milliseconds, `formatMinimum` and `formatMaximum` for date-time strings.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

# The range itself is croody_core's, shared with the CMS's forms.
from croody_core.timerange import EARLIEST as EARLIEST
from croody_core.timerange import LATEST as LATEST
from croody_core.timerange import within

_MS = timedelta(milliseconds=1)
EARLIEST_MS = 0
LATEST_MS = (LATEST - EARLIEST) // _MS  # 4_102_444_800_000


def rfc3339(moment: datetime) -> str:
    """A UTC datetime as RFC 3339 with `Z`, to the second: 2100-01-01T00:00:00Z."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


RANGE = f"between {rfc3339(EARLIEST)} and {rfc3339(LATEST)} (UTC)"


def _out_of_range() -> PydanticCustomError:
    return PydanticCustomError("time_out_of_range", f"must be {RANGE}")


def check_datetime(value: datetime) -> datetime:
    """`value` in UTC (a naive one is taken as UTC) if within the range, else a
    `time_out_of_range` error. Compared before any conversion: converting 9999-12-31T23:00-05:00
    to UTC would itself overflow."""
    if not within(value):
        raise _out_of_range()
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def check_epoch_ms(value: int) -> int:
    """Integer milliseconds since the Unix epoch within the range, else `time_out_of_range`."""
    if not EARLIEST_MS <= value <= LATEST_MS:
        raise _out_of_range()
    return value


def epoch_ms(moment: datetime) -> int:
    """Exact milliseconds since the Unix epoch (rounded down) of an aware datetime, without
    the float rounding of timestamp() and without overflow, whatever the year."""
    return (moment - EARLIEST) // _MS


def from_epoch_ms(value: int) -> datetime:
    """The UTC datetime of epoch milliseconds (within the calendar: check_epoch_ms first)."""
    return EARLIEST + value * _MS


def datetime_schema(
    earliest: datetime = EARLIEST, latest: datetime = LATEST, **extra: Any
) -> dict[str, Any]:
    """JSON Schema of an RFC 3339 date-time string bounded to [earliest, latest]."""
    return {
        "type": "string",
        "format": "date-time",
        "formatMinimum": rfc3339(earliest),
        "formatMaximum": rfc3339(latest),
        **extra,
    }


def epoch_ms_schema(
    earliest_ms: int = EARLIEST_MS, latest_ms: int = LATEST_MS, **extra: Any
) -> dict[str, Any]:
    """JSON Schema of integer epoch milliseconds bounded to [earliest_ms, latest_ms]."""
    return {"type": "integer", "minimum": earliest_ms, "maximum": latest_ms, **extra}


UtcDateTime = Annotated[
    datetime,
    AfterValidator(check_datetime),
    WithJsonSchema(datetime_schema(description=f"ISO 8601; {RANGE}; UTC if no offset")),
]
