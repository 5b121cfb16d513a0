"""Times at the edges of the calendar and of the range the APIs accept, for the tables of
tests/ids/service/test_ids_time_bounds.py and tests/telemetry/test_time_bounds.py, and a
`date-time` strategy that makes the schemathesis fuzz of both APIs generate near them.

The accepted range is apis.common.timestamps: 1970-01-01T00:00:00Z to 2100-01-01T00:00:00Z,
both included, whatever the offset the time is written with.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import schemathesis
from hypothesis import strategies as st

# Outside the range, with an offset: each is refused (422), never a 500.
OUTSIDE = [
    "0001-01-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC
    "0001-01-01T00:00:00+23:59",
    "0001-01-01T23:59:59-23:59",  # still year 1 in UTC
    "1969-12-31T23:59:59.999Z",
    "1970-01-01T00:30:00+01:00",  # 1969 in UTC
    "2100-01-01T00:00:00.001Z",
    "2099-12-31T23:30:00-01:00",  # 2100-01-01T00:30Z
    "9999-12-30T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "9999-12-31T23:00:00-05:00",  # after year 9999 in UTC
    "9999-12-31T23:59:59-12:00",
    "9999-12-31T23:59:59.999999-23:59",
]
# Outside the range without an offset (the IDS API reads them as UTC; telemetry refuses them).
OUTSIDE_NAIVE = ["0001-01-01T00:00:00", "1969-12-31T23:59:59", "9999-12-31T23:59:59"]
# Epoch milliseconds outside the range (telemetry takes them as well as RFC 3339).
OUTSIDE_MS = [-1, -62_135_596_800_000, 4_102_444_800_001, 253_402_300_799_999, 2**62, 10**30]

# The edges themselves, written with different offsets: accepted.
FIRST = ["1970-01-01T00:00:00Z", "1970-01-01T01:00:00+01:00", "1969-12-31T23:00:00-01:00"]
LAST = ["2100-01-01T00:00:00Z", "2099-12-31T23:00:00-01:00", "2100-01-01T05:30:00+05:30"]
FIRST_MS, LAST_MS = 0, 4_102_444_800_000

_EDGES = [*OUTSIDE, *OUTSIDE_NAIVE, *FIRST, *LAST]


def _render(moment: datetime, offset_minutes: int) -> str:
    text = moment.astimezone(timezone(timedelta(minutes=offset_minutes))).isoformat()
    return text.replace("+00:00", "Z")


def date_times() -> st.SearchStrategy[str]:
    """RFC 3339 times: the edges above, times within a day of either end of the range with
    any offset, and (from schemathesis' own strategy's grammar) any date of the calendar."""
    near = st.sampled_from([datetime(1970, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)])
    shift = st.integers(-86_400_000, 86_400_000).map(lambda ms: timedelta(milliseconds=ms))
    offset = st.integers(-(23 * 60 + 59), 23 * 60 + 59)
    around_the_ends = st.builds(lambda at, by, tz: _render(at + by, tz), near, shift, offset)
    anywhere = st.builds(
        lambda day, seconds, tz: (
            f"{day.isoformat()}T"
            f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
            + (
                "Z"
                if tz == 0
                else f"{'+' if tz > 0 else '-'}{abs(tz) // 60:02d}:{abs(tz) % 60:02d}"
            )
        ),
        st.dates(),
        st.integers(0, 86_399),
        offset,
    )
    return st.one_of(st.sampled_from(_EDGES), around_the_ends, anywhere)


def fuzz_near_the_edges() -> None:
    """Make schemathesis generate every `date-time` with date_times() (both fuzz stages)."""
    schemathesis.openapi.format("date-time", date_times())
