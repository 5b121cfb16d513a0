"""PostgreSQL: readings are partitioned by calendar month (UTC) of `ts`, so that retention
drops whole months instead of deleting rows one by one (SQLite keeps one table).

A month's partition is created when the first reading of that month arrives, in a short
transaction of its own before the readings' one, under an advisory lock so that workers never
race. Each process remembers which months exist; a month dropped by another process's
retention is noticed by the insert that fails, and created again (see store.insert_batches).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine, text

from apis.common.timestamps import epoch_ms

PARENT = "telemetry_readings"
_NAME = re.compile(rf"^{PARENT}_p(\d{{4}})(\d{{2}})$")
_LOCK_ID = 0x7E1E_0002  # beside the migrations' 0x7E1E_0001
DAY_MS = 86_400_000

Month = tuple[int, int]  # (year, month)


def month_of(ts_ms: int) -> Month:
    moment = datetime.fromtimestamp(ts_ms / 1000, UTC)
    return moment.year, moment.month


def now_month() -> Month:
    moment = datetime.now(UTC)
    return moment.year, moment.month


def next_month(month: Month) -> Month:
    year, number = month
    return (year + 1, 1) if number == 12 else (year, number + 1)


def bounds(month: Month) -> tuple[int, int]:
    """[start, end) of the month in epoch milliseconds."""
    following = next_month(month)
    return (
        epoch_ms(datetime(*month, 1, tzinfo=UTC)),
        epoch_ms(datetime(*following, 1, tzinfo=UTC)),
    )


def previous_month(month: Month) -> Month:
    year, number = month
    return (year - 1, 12) if number == 1 else (year, number - 1)


def window(now: Month | None = None, back: int = 12) -> set[Month]:
    """The months kept ready: `back` months before the current one, it, and the next."""
    month = now or now_month()
    months = {month, next_month(month)}
    for _ in range(back):
        month = previous_month(month)
        months.add(month)
    return months


def prepare(engine: Engine) -> None:
    """PostgreSQL, at start-up: the window's partitions exist (ingest creates any other month
    on demand; the window also serves imports and tools that insert directly)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        create(connection, window())


def name(month: Month) -> str:
    return f"{PARENT}_p{month[0]:04d}{month[1]:02d}"


def create(connection: Connection, months: Iterable[Month]) -> None:
    """Create the months' partitions that do not exist yet (names and bounds are computed
    from integers, never from input text)."""
    connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    for month in sorted(set(months)):
        start, end = bounds(month)
        connection.exec_driver_sql(
            f"CREATE TABLE IF NOT EXISTS {name(month)} PARTITION OF {PARENT} "
            f"FOR VALUES FROM ({start}) TO ({end})"
        )


def existing(connection: Connection) -> dict[Month, str]:
    """The partitions there are, by month."""
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = CAST(:parent AS regclass)"
        ),
        {"parent": PARENT},
    )
    found = {}
    for (relname,) in rows:
        if match := _NAME.match(relname):
            found[(int(match[1]), int(match[2]))] = relname
    return found


class KnownMonths:
    """The months this process has seen created: the common case costs a set lookup."""

    def __init__(self) -> None:
        self._months: set[Month] = set()
        self._days: set[int] = set()  # days already mapped to a known month
        self._lock = threading.Lock()

    def ensure(self, engine: Engine, timestamps: Iterable[int]) -> None:
        days = {ts // DAY_MS for ts in timestamps} - self._days
        if not days:
            return
        months = {month_of(day * DAY_MS) for day in days}
        with self._lock:
            missing = months - self._months
            if missing:
                with engine.begin() as connection:
                    create(connection, missing)
                self._months |= missing
            self._days |= days

    def forget(self) -> None:
        """After a partition was dropped elsewhere: check again on the next write."""
        with self._lock:
            self._months.clear()
            self._days.clear()
