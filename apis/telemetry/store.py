"""Reading and writing the telemetry tables: idempotent ingest, latest, history, retention.

Synchronous (SQLAlchemy Core): the routes call it in a worker thread.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import psycopg2.errors
from sqlalchemy import Engine, and_, delete, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from apis.common.pg_copy import copy_new_rows
from apis.telemetry import partitions, rollups
from apis.telemetry.schemas import ReadingIn, format_ms, now_ms
from apis.telemetry.tables import NO_SEQ, NUMERIC_FIELDS, latest, readings

# SQLite has one writer at a time; queueing writers here is cheaper than SQLite's busy retries.
_sqlite_writer = threading.Lock()
# PostgreSQL: the months whose partition this process knows exists.
_months = partitions.KnownMonths()


Values = tuple[Any, ...]  # one reading in _COLUMNS order


@dataclass(frozen=True)
class IngestOutcome:
    accepted: int
    duplicates: int
    stored: list[tuple[int, Values]]  # (id, values) of the new rows, in request order


_COLUMNS = (
    "robot_id",
    "ts",
    "seq",
    "x",
    "y",
    "z",
    "heading",
    "speed",
    "battery",
    "status",
    "extra",
    "received_at",
)
_ROWS_PER_STATEMENT = 1000  # 12,000 parameters: within SQLite's and PostgreSQL's limits
# PostgreSQL: smaller batches go by INSERT, one round trip where COPY takes three, and as
# cheap below this size (measured: equal at about 30 rows, COPY 4x faster at 1,000).
_COPY_FROM_ROWS = 32


@lru_cache(maxsize=64)
def _insert_sql(dialect_name: str, count: int) -> str:
    """INSERT of `count` rows that skips stored ones and returns the new rows' keys and ids.

    Plain SQL with positional parameters: the rows go to the driver as one flat tuple,
    without per-row work in SQLAlchemy (the hot path of ingest).
    """
    mark = "%s" if dialect_name == "postgresql" else "?"
    row = "(" + ",".join([mark] * len(_COLUMNS)) + ")"
    values = ",".join([row] * count)
    # Constants and placeholders only: every value is a bound parameter.
    return (
        f"INSERT INTO {readings.name} ({','.join(_COLUMNS)}) VALUES {values} "  # noqa: S608
        "ON CONFLICT (robot_id, ts, seq) DO NOTHING RETURNING robot_id, ts, seq, id"
    )


@lru_cache(maxsize=4)
def _advance_latest(dialect_name: str) -> Any:
    """Upsert of each robot's newest reading, built once per dialect."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    upsert = dialect.insert(latest)
    incoming = upsert.excluded
    return upsert.on_conflict_do_update(
        index_elements=[latest.c.robot_id],
        set_={column.name: incoming[column.name] for column in latest.c if not column.primary_key},
        # Never over a newer reading: out-of-order input leaves latest where it is.
        where=or_(
            latest.c.ts < incoming.ts,
            and_(latest.c.ts == incoming.ts, latest.c.seq < incoming.seq),
        ),
    )


def values_of(reading: ReadingIn, received_at: int) -> Values:
    extra = reading.extra
    return (
        reading.robot_id,
        reading.ts,
        NO_SEQ if reading.seq is None else reading.seq,
        reading.x,
        reading.y,
        reading.z,
        reading.heading,
        reading.speed,
        reading.battery,
        reading.status,
        None if extra is None else json.dumps(extra, separators=(",", ":")),
        received_at,
    )


def row_from(reading_id: int, values: Values) -> dict[str, Any]:
    return {"id": reading_id, **dict(zip(_COLUMNS, values, strict=True))}


def public(row: RowMapping | dict[str, Any]) -> dict[str, Any]:
    """A stored row as the API returns it (see schemas.Reading)."""
    extra = row["extra"]
    return {
        "id": row["id"],
        "robot_id": row["robot_id"],
        "ts": format_ms(row["ts"]),
        "seq": None if row["seq"] == NO_SEQ else row["seq"],
        "x": row["x"],
        "y": row["y"],
        "z": row["z"],
        "heading": row["heading"],
        "speed": row["speed"],
        "battery": row["battery"],
        "status": row["status"],
        "extra": None if extra is None else json.loads(extra),
        "received_at": format_ms(row["received_at"]),
    }


def insert_readings(engine: Engine, batch: Sequence[ReadingIn]) -> IngestOutcome:
    return insert_batches(engine, [batch])[0]


def insert_batches(engine: Engine, batches: Sequence[Sequence[ReadingIn]]) -> list[IngestOutcome]:
    """Store several requests' batches in one transaction (group commit); one outcome each.

    Repeats of stored (robot, ts, seq) are skipped and counted as duplicates, as are repeats
    within and across the batches (the first one is stored). Returns only once committed, so
    a 202 built from it is never lost.
    """
    received_at = now_ms()
    per_batch = [[values_of(reading, received_at) for reading in batch] for batch in batches]
    rows = [values for batch_rows in per_batch for values in batch_rows]
    if engine.dialect.name == "sqlite":
        with _sqlite_writer, engine.begin() as connection:
            new_ids = _write(connection, engine.dialect.name, rows)
    else:
        new_ids = _write_partitioned(engine, rows)
    outcomes = []
    for batch_rows in per_batch:
        stored = []
        for values in batch_rows:
            reading_id = new_ids.pop(values[:3], None)
            if reading_id is not None:  # the first of equal readings is the stored one
                stored.append((reading_id, values))
        outcomes.append(IngestOutcome(len(stored), len(batch_rows) - len(stored), stored))
    return outcomes


def _write_partitioned(engine: Engine, rows: list[Values]) -> dict[Values, int]:
    """PostgreSQL: the readings' months get their partitions first; if one was dropped by
    another process's retention since, the write fails as a whole and is made once more."""
    for attempt in (1, 2):
        _months.ensure(engine, (values[1] for values in rows))
        try:
            with engine.begin() as connection:
                return _write(connection, engine.dialect.name, rows)
        except (psycopg2.errors.CheckViolation, IntegrityError) as error:
            if attempt == 2 or not _no_partition(error):
                raise
            _months.forget()
    raise AssertionError("unreachable")


def _no_partition(error: Exception) -> bool:
    """PostgreSQL's "no partition of relation found for row" (a check violation)."""
    cause = error.orig if isinstance(error, IntegrityError) else error
    return isinstance(cause, psycopg2.errors.CheckViolation) and "no partition" in str(cause)


def _write(connection: Connection, dialect_name: str, rows: list[Values]) -> dict[Values, int]:
    """Insert what is new; returns {(robot_id, ts, seq): id} of the rows stored now."""
    copy = connection.dialect.driver == "psycopg2" and len(rows) >= _COPY_FROM_ROWS
    new_ids = _copy_new(connection, rows) if copy else None
    if new_ids is None:
        new_ids = _insert_new(connection, dialect_name, rows)
    newest: dict[str, tuple[int, Values]] = {}
    stored: dict[Values, Values] = {}
    for values in rows:
        reading_id = new_ids.get(values[:3])
        if reading_id is None or values[:3] in stored:  # of repeats, the first is stored
            continue
        stored[values[:3]] = values[:9]  # robot_id, ts, seq and the numeric fields
        best = newest.get(values[0])
        if best is None or values[1:3] > best[1][1:3]:
            newest[values[0]] = (reading_id, values)
    rollups.add(connection, stored.values())
    if newest:
        latest_rows = [
            {**dict(zip(_COLUMNS, values, strict=True)), "reading_id": reading_id}
            for reading_id, values in newest.values()
        ]
        connection.execute(_advance_latest(dialect_name), latest_rows)
    return new_ids


def _insert_new(connection: Connection, dialect_name: str, rows: list[Values]) -> dict[Values, int]:
    """INSERT ... ON CONFLICT DO NOTHING: stores each new reading once, skips repeats."""
    new_ids: dict[Values, int] = {}
    for start in range(0, len(rows), _ROWS_PER_STATEMENT):
        chunk = rows[start : start + _ROWS_PER_STATEMENT]
        flat = tuple(value for values in chunk for value in values)
        result = connection.exec_driver_sql(_insert_sql(dialect_name, len(chunk)), flat)
        new_ids.update(((robot, ts, seq), reading_id) for robot, ts, seq, reading_id in result)
    return new_ids


def _copy_new(connection: Connection, rows: list[Values]) -> dict[Values, int] | None:
    """PostgreSQL: COPY the readings in when none is a repeat; None when one is.

    Repeats are retries, the exception: COPY (about 5x faster than the INSERT for a batch of
    1,000) is tried in a savepoint, and a unique violation rolls it back for the INSERT path,
    which skips them.
    """
    keys = [values[:3] for values in rows]
    if len(set(keys)) != len(keys):  # a repeat within the request: the INSERT keeps the first
        return None
    ids = copy_new_rows(connection, readings.name, _COLUMNS, rows)
    return None if ids is None else dict(zip(keys, ids, strict=True))


def latest_readings(engine: Engine, robots: Iterable[str] | None) -> list[dict[str, Any]]:
    """The latest reading of each robot in `robots` (None: every robot), by robot id."""
    query = select(latest, latest.c.reading_id.label("id")).order_by(latest.c.robot_id)
    if robots is not None:
        wanted = sorted(robots)
        if not wanted:
            return []
        query = query.where(latest.c.robot_id.in_(wanted))
    with engine.connect() as connection:
        return [public(row) for row in connection.execute(query).mappings()]


def readings_page(
    engine: Engine,
    robot_id: str,
    start_ms: int,
    end_ms: int,
    after: tuple[int, int] | None,
    limit: int,
    newest_first: bool = False,
) -> tuple[list[dict[str, Any]], tuple[int, int] | None]:
    """Raw readings of one robot in [start, end), oldest (or newest) first, after the cursor
    position in that order."""
    query = select(readings).where(
        readings.c.robot_id == robot_id, readings.c.ts >= start_ms, readings.c.ts < end_ms
    )
    if after is not None:
        ts, seq = after
        if newest_first:
            query = query.where(
                or_(readings.c.ts < ts, and_(readings.c.ts == ts, readings.c.seq < seq))
            )
        else:
            query = query.where(
                or_(readings.c.ts > ts, and_(readings.c.ts == ts, readings.c.seq > seq))
            )
    order = (
        (readings.c.ts.desc(), readings.c.seq.desc())
        if newest_first
        else (
            readings.c.ts,
            readings.c.seq,
        )
    )
    query = query.order_by(*order).limit(limit + 1)
    with engine.connect() as connection:
        rows = list(connection.execute(query).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    cursor = (rows[-1]["ts"], rows[-1]["seq"]) if more else None
    return [public(row) for row in rows], cursor


def bucket_page(
    engine: Engine,
    robot_id: str,
    start_ms: int,
    end_ms: int,
    bucket_ms: int,
    agg: str,
    limit: int,
) -> tuple[list[dict[str, Any]], int | None]:
    """Per-bucket aggregates of one robot in [start, end), oldest bucket first.

    Buckets are aligned to the epoch (a 1h bucket starts on the hour, UTC) and made from the
    per-minute and per-hour summaries (apis.telemetry.rollups). The cursor is the start of the
    last bucket returned.
    """
    query = rollups.bucket_query(robot_id, start_ms, end_ms, bucket_ms, agg)
    with engine.connect() as connection:
        rows = list(connection.execute(query.limit(limit + 1)).mappings())
    more = len(rows) > limit
    rows = rows[:limit]
    buckets = [
        {
            "start": format_ms(row["bucket"]),
            "count": row["n"],
            **{name: None if row[name] is None else float(row[name]) for name in NUMERIC_FIELDS},
        }
        for row in rows
    ]
    return buckets, (rows[-1]["bucket"] if more else None)


def newest_id(engine: Engine) -> int:
    """The id of the newest stored reading (0 when there is none)."""
    with engine.connect() as connection:
        return connection.scalar(select(func.max(readings.c.id))) or 0


def readings_after(
    engine: Engine, after_id: int, robots: frozenset[str] | None, limit: int
) -> list[dict[str, Any]]:
    """Readings stored after `after_id` (SSE resume), in id order."""
    query = select(readings).where(readings.c.id > after_id)
    if robots is not None:
        if not robots:
            return []
        query = query.where(readings.c.robot_id.in_(sorted(robots)))
    query = query.order_by(readings.c.id).limit(limit)
    with engine.connect() as connection:
        return [public(row) for row in connection.execute(query).mappings()]


def prune(engine: Engine, older_than_ms: int, batch_size: int) -> Iterator[int]:
    """Delete readings with ts < older_than_ms in batches; yields each batch's count.

    On PostgreSQL, call drop_expired_partitions first: whole months go at once, and only the
    month the cutoff falls in is left to delete here. Small transactions keep the writer lock
    short, so ingest goes on while pruning. The latest table keeps each robot's last state;
    the per-minute summaries follow the readings when the last batch is gone.
    """
    oldest = (
        select(readings.c.id)
        .where(readings.c.ts < older_than_ms)
        .order_by(readings.c.ts)
        .limit(batch_size)
        .scalar_subquery()
    )
    while True:
        with _writing(engine) as connection:
            deleted = connection.execute(delete(readings).where(readings.c.id.in_(oldest)))
            if not deleted.rowcount:
                rollups.forget_before(connection, older_than_ms)
                return
        yield deleted.rowcount


@contextlib.contextmanager
def _writing(engine: Engine) -> Iterator[Connection]:
    """A write transaction; on SQLite, queued behind this process's other writers."""
    lock = _sqlite_writer if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with lock, engine.begin() as connection:
        yield connection


def drop_expired_partitions(engine: Engine, older_than_ms: int) -> list[str]:
    """PostgreSQL: drop the partition of every month entirely before `older_than_ms`, at
    once whatever its size (no rows deleted one by one, no table bloat); their names."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as connection:
        months = partitions.existing(connection)
    dropped = []
    for month, relname in sorted(months.items()):
        end_ms = partitions.bounds(month)[1]
        if end_ms <= older_than_ms:
            with engine.begin() as connection:
                connection.exec_driver_sql(f"DROP TABLE IF EXISTS {relname}")
                rollups.forget_before(connection, end_ms)
            dropped.append(relname)
    if dropped:
        _months.forget()
    return dropped


def delete_robot_readings(engine: Engine, robot_id: str, batch_size: int = 10_000) -> int:
    """Delete every reading of one robot, and its latest state; how many readings went.

    In batches, as prune does, so ingest of other robots goes on meanwhile.
    """
    batch = (
        select(readings.c.id)
        .where(readings.c.robot_id == robot_id)
        .limit(batch_size)
        .scalar_subquery()
    )
    total = 0
    while True:
        with _writing(engine) as connection:
            deleted = connection.execute(delete(readings).where(readings.c.id.in_(batch)))
            if not deleted.rowcount:
                connection.execute(delete(latest).where(latest.c.robot_id == robot_id))
                rollups.forget_robot(connection, robot_id)
                return total
        total += deleted.rowcount
