"""The range of time Croody accepts anywhere a client names a moment (API parameters, the
analysts' filters): far from the ends of Python's calendar, so that no conversion to UTC and
no window computed from a bound can overflow. The services enforce it (apis.common.timestamps);
the CMS's forms check it first, so an analyst reads which field is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def within(moment: datetime) -> bool:
    """Whether `moment` (naive: UTC) lies in the range, both ends included; compared without
    converting, which could itself overflow near year 1 or 9999."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return EARLIEST <= moment <= LATEST
