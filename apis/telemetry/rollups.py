"""Per-minute and per-hour summaries of the readings; history in buckets answered from them.

Every bucket the API offers is a whole number of minutes aligned to the epoch, so a bucket's
count, sum, min, max and last reading follow from summaries of the minutes (or hours) it
holds: 30 days of a robot at 1 Hz are 720 hour summaries instead of 2,592,000 readings.
Ingest folds each new reading into its minute and hour in the same transaction (`add`). A
query's partial hours at either end of its range come from minutes, and its partial minutes
from the readings themselves (`stored_summaries`), so every answer is the one the readings
give, whatever the range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, and_, case, delete, func, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from apis.telemetry.tables import NUMERIC_FIELDS, hours, minutes, readings

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
LEVELS: tuple[tuple[int, Table], ...] = ((HOUR_MS, hours), (MINUTE_MS, minutes))  # coarse first
_LAST = ("ts", "seq", *NUMERIC_FIELDS)
_LAST_COLUMNS = tuple(f"last_{name}" for name in _LAST)
Summary = dict[str, Any]  # one row of a summary table


def floor_to(ms: int, step: int) -> int:
    return ms - ms % step


def ceil_to(ms: int, step: int) -> int:
    return -(-ms // step) * step


def _count_of(name: str) -> str:
    """The column counting a field's values: z is optional, the others are never null."""
    return "n_z" if name == "z" else "n"


# --- kept at ingest --------------------------------------------------------------------------


def summarize(rows: Iterable[Sequence[Any]]) -> dict[tuple[str, int], Summary]:
    """Per-minute summaries of new readings given as (robot_id, ts, seq, x, y, z, heading,
    speed, battery), by (robot_id, minute). On the ingest path: grouped first, then each
    column summed and compared by builtins."""
    groups: dict[tuple[str, int], list[Sequence[Any]]] = {}
    for row in rows:
        ts = row[1]
        groups.setdefault((row[0], ts - ts % MINUTE_MS), []).append(row)
    found: dict[tuple[str, int], Summary] = {}
    for (robot_id, start), members in groups.items():
        summary: Summary = {"robot_id": robot_id, "start": start, "n": len(members)}
        for name, column in zip(NUMERIC_FIELDS, list(zip(*members, strict=True))[3:], strict=True):
            values = [value for value in column if value is not None] if name == "z" else column
            if name == "z":
                summary["n_z"] = len(values)
            summary[f"sum_{name}"] = sum(values) if values else None
            summary[f"min_{name}"] = min(values) if values else None
            summary[f"max_{name}"] = max(values) if values else None
        newest = max(members, key=itemgetter(1, 2))  # by (ts, seq)
        summary.update(zip(_LAST_COLUMNS, newest[1:], strict=True))
        found[(robot_id, start)] = summary
    return found


def coarsen(summaries: Iterable[Summary], step: int) -> dict[tuple[str, int], Summary]:
    """Summaries folded into coarser ones of `step` ms (minutes into hours)."""
    found: dict[tuple[str, int], Summary] = {}
    for piece in summaries:
        key = (piece["robot_id"], floor_to(piece["start"], step))
        total = found.get(key)
        if total is None:
            found[key] = {**piece, "start": key[1]}
            continue
        total["n"] += piece["n"]
        total["n_z"] += piece["n_z"]
        for name in NUMERIC_FIELDS:
            if piece[f"sum_{name}"] is None:
                continue
            if total[f"sum_{name}"] is None:
                for kind in ("sum", "min", "max"):
                    total[f"{kind}_{name}"] = piece[f"{kind}_{name}"]
            else:
                total[f"sum_{name}"] += piece[f"sum_{name}"]
                total[f"min_{name}"] = min(total[f"min_{name}"], piece[f"min_{name}"])
                total[f"max_{name}"] = max(total[f"max_{name}"], piece[f"max_{name}"])
        if (piece["last_ts"], piece["last_seq"]) > (total["last_ts"], total["last_seq"]):
            total.update({f"last_{name}": piece[f"last_{name}"] for name in _LAST})
    return found


@lru_cache(maxsize=8)
def _merge(dialect_name: str, table: Table) -> Any:
    """Upsert that folds new summaries into the stored ones, built once per dialect and table."""
    is_postgresql = dialect_name == "postgresql"
    upsert = (postgresql if is_postgresql else sqlite).insert(table)
    new, old = upsert.excluded, table.c
    # PostgreSQL's LEAST/GREATEST skip NULLs; SQLite's two-argument min/max return NULL.
    least, greatest = (func.least, func.greatest) if is_postgresql else (func.min, func.max)
    newer = or_(
        new.last_ts > old.last_ts, and_(new.last_ts == old.last_ts, new.last_seq > old.last_seq)
    )
    merged: dict[str, Any] = {"n": old.n + new.n, "n_z": old.n_z + new.n_z}
    for name in NUMERIC_FIELDS:
        total, low, high = (f"{kind}_{name}" for kind in ("sum", "min", "max"))
        merged[total] = func.coalesce(old[total] + new[total], old[total], new[total])
        merged[low] = func.coalesce(least(old[low], new[low]), old[low], new[low])
        merged[high] = func.coalesce(greatest(old[high], new[high]), old[high], new[high])
    for name in _LAST:
        merged[f"last_{name}"] = case((newer, new[f"last_{name}"]), else_=old[f"last_{name}"])
    return upsert.on_conflict_do_update(index_elements=[old.robot_id, old.start], set_=merged)


def add(connection: Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Fold newly stored readings (see `summarize`) into their minutes and hours."""
    by_minute = summarize(rows)
    if not by_minute:
        return
    by_hour = coarsen(by_minute.values(), HOUR_MS)
    for table, found in ((minutes, by_minute), (hours, by_hour)):
        # In key order: concurrent upserts lock rows in the same order, so cannot deadlock.
        summaries = [found[key] for key in sorted(found)]
        connection.execute(_merge(connection.dialect.name, table), summaries)


# --- made from the stored readings ------------------------------------------------------------


def stored_summaries(step: int, *where: ColumnElement[bool]) -> Select[Any]:
    """Summaries per `step` ms of the readings matching `where`, in a summary table's columns."""
    start = readings.c.ts - readings.c.ts % step
    aggregates: dict[str, Callable[[Any], ColumnElement[Any]]] = {
        "sum": func.sum,
        "min": func.min,
        "max": func.max,
    }
    groups = (
        select(
            readings.c.robot_id,
            start.label("start"),
            func.count().label("n"),
            func.count(readings.c.z).label("n_z"),
            *(
                aggregates[kind](readings.c[name]).label(f"{kind}_{name}")
                for name in NUMERIC_FIELDS
                for kind in ("sum", "min", "max")
            ),
            func.max(readings.c.ts).label("last_ts"),
        )
        .where(*where)
        .group_by(readings.c.robot_id, start)
        .subquery()
    )
    # The last reading: the newest ts, and of readings at that ts the highest seq.
    at_last_ts = readings.alias("at_last_ts")
    last = readings.alias("last")
    last_seq = (
        select(func.max(at_last_ts.c.seq))
        .where(at_last_ts.c.robot_id == groups.c.robot_id, at_last_ts.c.ts == groups.c.last_ts)
        .scalar_subquery()
    )
    columns = {column.name: column for column in groups.c}
    columns.update({f"last_{name}": last.c[name] for name in ("seq", *NUMERIC_FIELDS)})
    return select(*(columns[column.name].label(column.name) for column in minutes.c)).join_from(
        groups,
        last,
        and_(
            last.c.robot_id == groups.c.robot_id,
            last.c.ts == groups.c.last_ts,
            last.c.seq == last_seq,
        ),
    )


def rebuild(connection: Connection, start_ms: int | None = None, end_ms: int | None = None) -> None:
    """Summarise again, from the readings, the minutes and hours that meet [start, end)
    (None: unbounded): after readings were written or deleted without ingest (a migration,
    retention, a bulk load)."""
    for step, table in LEVELS:
        kept: list[ColumnElement[bool]] = []
        stored: list[ColumnElement[bool]] = []
        if start_ms is not None:
            kept.append(table.c.start >= floor_to(start_ms, step))
            stored.append(readings.c.ts >= floor_to(start_ms, step))
        if end_ms is not None:
            kept.append(table.c.start < ceil_to(end_ms, step))
            stored.append(readings.c.ts < ceil_to(end_ms, step))
        connection.execute(delete(table).where(*kept))
        columns = [column.name for column in table.c]
        connection.execute(table.insert().from_select(columns, stored_summaries(step, *stored)))


def forget_before(connection: Connection, cutoff_ms: int) -> None:
    """After the readings older than the cutoff were deleted: drop the summaries wholly before
    it, and make those of the minute and hour it falls in again from the readings kept."""
    for step, table in LEVELS:
        connection.execute(delete(table).where(table.c.start < floor_to(cutoff_ms, step)))
    if cutoff_ms % MINUTE_MS or cutoff_ms % HOUR_MS:
        rebuild(connection, cutoff_ms - 1, cutoff_ms)


def forget_robot(connection: Connection, robot_id: str) -> None:
    for _step, table in LEVELS:
        connection.execute(delete(table).where(table.c.robot_id == robot_id))


# --- history in buckets -----------------------------------------------------------------------


def _pieces(
    robot_id: str,
    start_ms: int,
    end_ms: int,
    wanted: list[str],
    levels: Sequence[tuple[int, Table]],
) -> list[Select[Any]]:
    """Summaries that together cover [start, end) once: the coarsest level's whole units, and
    the ends of the range from the finer levels, down to the readings."""
    if start_ms >= end_ms:
        return []
    if not levels:
        where = (readings.c.robot_id == robot_id, readings.c.ts >= start_ms, readings.c.ts < end_ms)
        edge = stored_summaries(MINUTE_MS, *where).subquery()
        return [select(*(edge.c[name] for name in wanted))]
    (step, table), finer = levels[0], levels[1:]
    first, last = ceil_to(start_ms, step), floor_to(end_ms, step)
    if first >= last:
        return _pieces(robot_id, start_ms, end_ms, wanted, finer)
    whole = select(*(table.c[name] for name in wanted)).where(
        table.c.robot_id == robot_id, table.c.start >= first, table.c.start < last
    )
    return [
        whole,
        *_pieces(robot_id, start_ms, first, wanted, finer),
        *_pieces(robot_id, last, end_ms, wanted, finer),
    ]


def bucket_query(
    robot_id: str, start_ms: int, end_ms: int, bucket_ms: int, agg: str
) -> Select[Any]:
    """Rows (bucket, n, x, y, z, heading, speed, battery) of one robot's buckets in
    [start, end), oldest first; `bucket_ms` a whole number of minutes."""
    if agg == "last":
        wanted = ["start", "n", *(f"last_{name}" for name in NUMERIC_FIELDS)]
    elif agg in ("min", "max"):
        wanted = ["start", "n", *(f"{agg}_{name}" for name in NUMERIC_FIELDS)]
    else:
        wanted = ["start", "n", "n_z", *(f"sum_{name}" for name in NUMERIC_FIELDS)]
    levels = [(step, table) for step, table in LEVELS if bucket_ms % step == 0]
    parts = _pieces(robot_id, start_ms, end_ms, wanted, levels)
    pieces = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    bucket = (pieces.c.start - pieces.c.start % bucket_ms).label("bucket")
    if agg == "last":
        # The pieces cover disjoint spans, so a bucket's last reading is its latest piece's.
        ranked = select(
            bucket,
            func.sum(pieces.c.n).over(partition_by=bucket).label("n"),
            *(pieces.c[f"last_{name}"].label(name) for name in NUMERIC_FIELDS),
            func.row_number()
            .over(partition_by=bucket, order_by=pieces.c.start.desc())
            .label("rank"),
        ).subquery()
        return (
            select(ranked.c.bucket, ranked.c.n, *(ranked.c[name] for name in NUMERIC_FIELDS))
            .where(ranked.c.rank == 1)
            .order_by(ranked.c.bucket)
        )
    values: dict[str, Any] = {
        "avg": lambda name: (
            func.sum(pieces.c[f"sum_{name}"]) / func.nullif(func.sum(pieces.c[_count_of(name)]), 0)
        ),
        "min": lambda name: func.min(pieces.c[f"min_{name}"]),
        "max": lambda name: func.max(pieces.c[f"max_{name}"]),
        "count": lambda name: func.sum(pieces.c[_count_of(name)]),
    }
    return (
        select(
            bucket,
            func.sum(pieces.c.n).label("n"),
            *(values[agg](name).label(name) for name in NUMERIC_FIELDS),
        )
        .group_by(bucket)
        .order_by(bucket)
    )
