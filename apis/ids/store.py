"""The predictions table and every query on it (SQLAlchemy Core).

One module for the API (apis.ids.routes) and the analysts' admin view
(cms.ids_admin), so both read the same rows the same way. The schema itself is
created by the Alembic migrations in apis/ids/migrations (apis.ids.migrate).

Times are stored as integer UTC epoch milliseconds (``created_ms``): SQLite and
PostgreSQL then filter, sort and bucket them with the same integer arithmetic.
The 41 input features are kept as a JSON array in FEATURE_NAMES order (the
model contract), a quarter of the size of the named object.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any

import numpy as np
from pydantic_core import to_json
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    func,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from apis.common.key_directory import known_keys_table
from apis.common.timestamps import EARLIEST_MS, epoch_ms, from_epoch_ms
from apis.ids.features import CATEGORICAL_FEATURES, CLASSES, FEATURE_NAMES
from apis.ids.scoring import ATTACK, NORMAL_VERDICT, BatchScores

VERDICTS: tuple[str, ...] = (NORMAL_VERDICT, ATTACK)
# Probability columns, one per class: p_normal, p_dos, p_probe, p_r2l, p_u2r.
PROBABILITY_COLUMNS: dict[str, str] = {name: f"p_{name.lower()}" for name in CLASSES}
SOURCE_MAX_LENGTH = 100
MODEL_VERSION_MAX_LENGTH = 32

metadata = MetaData()
# SQLite only auto-increments an INTEGER PRIMARY KEY, not a BIGINT one.
_Id = BigInteger().with_variant(Integer(), "sqlite")

predictions = Table(
    "ids_predictions",
    metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("source", String(SOURCE_MAX_LENGTH), nullable=False),
    Column("model_version", String(MODEL_VERSION_MAX_LENGTH), nullable=False),
    Column("verdict", String(8), nullable=False),
    Column("category", String(8), nullable=False),
    Column("score", Float, nullable=False),
    *(Column(column, Float, nullable=False) for column in PROBABILITY_COLUMNS.values()),
    # Comma-separated names of the categorical features whose value the model never saw.
    Column("unknown_features", String(64), nullable=True),
    Column("features", Text, nullable=False),
    Index("ix_ids_predictions_created_ms", "created_ms"),
    Index("ix_ids_predictions_source_id", "source", "id"),
    Index("ix_ids_predictions_category_id", "category", "id"),
)


# The key records this service verified (apis.common.key_directory).
known_keys = known_keys_table("ids", metadata)


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def to_ms(moment: datetime) -> int:
    """Epoch milliseconds; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return epoch_ms(moment)


def from_ms(ms: int) -> datetime:
    return from_epoch_ms(ms)


# -- writing -------------------------------------------------------------------


# Insert column order (everything but the id).
_INSERT_COLUMNS: tuple[str, ...] = (
    "created_ms",
    "source",
    "model_version",
    "verdict",
    "category",
    "score",
    *PROBABILITY_COLUMNS.values(),
    "unknown_features",
    "features",
)
# Made of the constant names above only: no input ever reaches the SQL text.
_COLUMN_LIST, _PLACEHOLDERS = ", ".join(_INSERT_COLUMNS), ", ".join("?" * len(_INSERT_COLUMNS))
_SQLITE_INSERT = f"INSERT INTO ids_predictions ({_COLUMN_LIST}) VALUES ({_PLACEHOLDERS})"  # noqa: S608


def insert_predictions(
    engine: Engine,
    records: Sequence[Any],
    scores: BatchScores,
    *,
    source: str,
    model_version: str,
    created_ms: int | None = None,
) -> list[int]:
    """Store one row per scored record in one transaction; return their ids in order.

    ``records`` are mappings or objects with one attribute per feature (the
    pydantic records), aligned with ``scores``.
    """
    n = len(records)
    if n == 0:
        return []
    created = now_ms() if created_ms is None else created_ms
    unknown = _unknown_names(scores)
    get_features = itemgetter(*FEATURE_NAMES)
    rows = [
        (
            created,
            source,
            model_version,
            VERDICTS[is_attack],
            CLASSES[category],
            score,
            *proba,
            unknown.get(i),
            # pydantic-core's serializer: about 4x faster than json.dumps here.
            to_json(get_features(record if isinstance(record, dict) else record.__dict__)).decode(),
        )
        for i, (record, is_attack, category, score, proba) in enumerate(
            zip(
                records,
                scores.is_attack.tolist(),
                scores.category_index.tolist(),
                scores.score.tolist(),
                scores.proba.tolist(),
                strict=True,
            )
        )
    ]
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # The write lock is held from the first insert to the commit, so the new
            # rowids are consecutive and end at max(id); executemany skips RETURNING's
            # per-page statements (about 4x faster for 10,000 rows).
            connection.exec_driver_sql(_SQLITE_INSERT, rows)
            last: int = connection.execute(select(func.max(predictions.c.id))).scalar_one()
            return list(range(last - n + 1, last + 1))
        if connection.dialect.driver == "psycopg2":
            return _copy_into_postgresql(connection, rows)
        statement = predictions.insert().returning(predictions.c.id, sort_by_parameter_order=True)
        params = [dict(zip(_INSERT_COLUMNS, row, strict=True)) for row in rows]
        return list(connection.scalars(statement, params))


def _copy_into_postgresql(connection: Connection, rows: list[tuple[Any, ...]]) -> list[int]:
    """Take ids from the table's sequence, then COPY the rows in (CSV).

    About 3.5x faster than INSERT ... RETURNING in pages for 10,000 rows. Ids are in
    record order; other writers may take numbers in between, as with any insert.
    """
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence('ids_predictions', 'id')) AS id "
        "FROM generate_series(1, %s) ORDER BY id",
        (len(rows),),
    )
    ids = [row[0] for row in cursor.fetchall()]
    data = io.StringIO()
    # CSV quoting covers commas, quotes and newlines; None is written unquoted: NULL.
    csv.writer(data).writerows((i, *row) for i, row in zip(ids, rows, strict=True))
    data.seek(0)
    cursor.copy_expert(
        f"COPY ids_predictions (id, {_COLUMN_LIST}) FROM STDIN WITH (FORMAT csv)", data
    )
    return ids


def _unknown_names(scores: BatchScores) -> dict[int, str]:
    flagged = np.flatnonzero(scores.unknown.any(axis=1)).tolist()
    return {
        i: ",".join(name for j, name in enumerate(CATEGORICAL_FEATURES) if scores.unknown[i, j])
        for i in flagged
    }


# -- reading -------------------------------------------------------------------


class InvalidCursor(ValueError):
    """A pagination cursor this service did not issue."""


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"p1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        tag, _, value = text.partition(":")
        if tag != "p1" or not value.isdigit() or len(value) > 19:
            raise ValueError
        return int(value)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this API returned") from None


@dataclass(frozen=True, slots=True)
class PredictionFilter:
    """What analysts narrow predictions by; every field optional."""

    since_ms: int | None = None  # inclusive
    until_ms: int | None = None  # exclusive
    verdict: str | None = None
    category: str | None = None
    min_score: float | None = None
    model_version: str | None = None
    source: str | None = None
    unknown_only: bool = False

    def clauses(self) -> list[ColumnElement[bool]]:
        c = predictions.c
        clauses: list[ColumnElement[bool]] = []
        if self.since_ms is not None:
            clauses.append(c.created_ms >= self.since_ms)
        if self.until_ms is not None:
            clauses.append(c.created_ms < self.until_ms)
        if self.verdict is not None:
            clauses.append(c.verdict == self.verdict)
        if self.category is not None:
            clauses.append(c.category == self.category)
        if self.min_score is not None:
            clauses.append(c.score >= self.min_score)
        if self.model_version is not None:
            clauses.append(c.model_version == self.model_version)
        if self.source is not None:
            clauses.append(c.source == self.source)
        if self.unknown_only:
            clauses.append(c.unknown_features.is_not(None))
        return clauses


@dataclass(frozen=True, slots=True)
class StoredPrediction:
    id: int
    created_at: datetime
    source: str
    model_version: str
    verdict: str
    category: str
    score: float
    probabilities: dict[str, float]
    unknown_values: dict[str, str]
    features: dict[str, Any]

    @classmethod
    def from_row(cls, row: Any) -> StoredPrediction:
        features = dict(zip(FEATURE_NAMES, json.loads(row.features), strict=True))
        unknown = row.unknown_features.split(",") if row.unknown_features else []
        return cls(
            id=row.id,
            created_at=from_ms(row.created_ms),
            source=row.source,
            model_version=row.model_version,
            verdict=row.verdict,
            category=row.category,
            score=row.score,
            probabilities={name: getattr(row, col) for name, col in PROBABILITY_COLUMNS.items()},
            unknown_values={name: features[name] for name in unknown},
            features=features,
        )


@dataclass(frozen=True, slots=True)
class Page:
    items: list[StoredPrediction]
    next_cursor: str | None


def list_predictions(
    engine: Engine, where: PredictionFilter, *, limit: int, cursor: str | None = None
) -> Page:
    """Newest first, ``limit`` at a time; ``next_cursor`` continues after the last one.

    Raises InvalidCursor for a cursor not made by encode_cursor.
    """
    before = decode_cursor(cursor) if cursor else None
    statement = select(predictions).where(*where.clauses())
    if before is not None:
        statement = statement.where(predictions.c.id < before)
    statement = statement.order_by(predictions.c.id.desc()).limit(limit + 1)
    with engine.connect() as connection:
        rows = connection.execute(statement).all()
    items = [StoredPrediction.from_row(row) for row in rows[:limit]]
    more = len(rows) > limit
    return Page(items, encode_cursor(items[-1].id) if more and items else None)


def iter_predictions(
    engine: Engine, where: PredictionFilter, *, page_size: int = 2000, cursor: str | None = None
) -> Iterator[StoredPrediction]:
    """Every matching prediction, newest first, read page by page (for exports).

    Each page is its own short query, so a slow client never holds a connection.
    """
    while True:
        page = list_predictions(engine, where, limit=page_size, cursor=cursor)
        yield from page.items
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


# -- statistics ----------------------------------------------------------------


@dataclass(slots=True)
class Bucket:
    start_ms: int
    verdicts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(VERDICTS, 0))
    categories: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CLASSES, 0))

    @property
    def total(self) -> int:
        return sum(self.verdicts.values())


@dataclass(frozen=True, slots=True)
class SourceCount:
    source: str
    total: int
    attacks: int


@dataclass(frozen=True, slots=True)
class Stats:
    since_ms: int
    until_ms: int
    bucket_ms: int
    buckets: list[Bucket]  # every bucket of the range, empty ones included
    top_sources: list[SourceCount]
    model_versions: dict[str, int]  # predictions per model version in the range

    @property
    def total(self) -> int:
        return sum(b.total for b in self.buckets)


def bucket_starts(since_ms: int, until_ms: int, bucket_ms: int) -> range:
    """Aligned starts of the buckets covering [since, until)."""
    first = since_ms // bucket_ms * bucket_ms
    return range(first, until_ms, bucket_ms)


def stats(
    engine: Engine,
    *,
    since_ms: int,
    until_ms: int,
    bucket_ms: int,
    top: int = 10,
    source: str | None = None,
) -> Stats:
    """Counts per verdict and category per time bucket, top sources, model versions."""
    where = PredictionFilter(since_ms=since_ms, until_ms=until_ms, source=source).clauses()
    c = predictions.c
    # Integer division on both backends (SQLAlchemy renders // as / for integers).
    bucket = (c.created_ms // bucket_ms).label("bucket")
    per_bucket = (
        select(bucket, c.verdict, c.category, func.count().label("n"))
        .where(*where)
        .group_by(bucket, c.verdict, c.category)
    )
    attacks = func.sum(case((c.verdict == ATTACK, 1), else_=0))
    per_source = (
        select(c.source, func.count().label("n"), attacks.label("attacks"))
        .where(*where)
        .group_by(c.source)
        .order_by(func.count().desc(), c.source)
        .limit(top)
    )
    per_version = (
        select(c.model_version, func.count().label("n")).where(*where).group_by(c.model_version)
    )
    buckets = {start: Bucket(start) for start in bucket_starts(since_ms, until_ms, bucket_ms)}
    with engine.connect() as connection:
        for row in connection.execute(per_bucket):
            target = buckets.setdefault(row.bucket * bucket_ms, Bucket(row.bucket * bucket_ms))
            # Values written by other tools are counted, not trusted to be known keys.
            target.verdicts[row.verdict] = target.verdicts.get(row.verdict, 0) + row.n
            target.categories[row.category] = target.categories.get(row.category, 0) + row.n
        sources = [
            SourceCount(row.source, row.n, int(row.attacks or 0))
            for row in connection.execute(per_source)
        ]
        versions = {row.model_version: row.n for row in connection.execute(per_version)}
    return Stats(
        since_ms=since_ms,
        until_ms=until_ms,
        bucket_ms=bucket_ms,
        buckets=[buckets[start] for start in sorted(buckets)],
        top_sources=sources,
        model_versions=versions,
    )


# -- time ranges for statistics (the API and the admin chart) --------------------

BUCKETS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "1h": 3600,
    "6h": 6 * 3600,
    "1d": 86400,
}
AUTO_BUCKETS = 120  # an automatic bucket keeps a chart to about this many bars
MAX_BUCKETS = 1440
DEFAULT_RANGE = timedelta(days=1)


class InvalidRange(ValueError):
    """A time range or bucket that cannot be answered; the message says why."""


def choose_bucket(span_ms: int, requested: str | None = None) -> str:
    """The requested bucket, or the smallest giving at most AUTO_BUCKETS buckets."""
    if requested is None:
        fitting = [name for name, s in BUCKETS.items() if span_ms / (s * 1000) <= AUTO_BUCKETS]
        requested = fitting[0] if fitting else "1d"
    if requested not in BUCKETS:
        raise InvalidRange(f"bucket must be one of {', '.join(BUCKETS)}")
    if span_ms / (BUCKETS[requested] * 1000) > MAX_BUCKETS:
        raise InvalidRange(
            f"{requested} buckets over this range would be more than {MAX_BUCKETS}; "
            "choose a larger bucket or a shorter range."
        )
    return requested


def range_ms(since: datetime | None, until: datetime | None) -> tuple[int | None, int | None]:
    since_ms = to_ms(since) if since else None
    until_ms = to_ms(until) if until else None
    if since_ms is not None and until_ms is not None and since_ms >= until_ms:
        raise InvalidRange("`since` must be earlier than `until`.")
    return since_ms, until_ms


def range_stats(
    engine: Engine,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    bucket: str | None = None,
    top: int = 10,
    source: str | None = None,
) -> tuple[Stats, str]:
    """stats() over [since, until) (default: the last day, not before 1970), with the bucket's
    name. The API bounds the times it is given (apis.common.timestamps); the default range is
    computed in integers, so it cannot overflow the calendar either."""
    until_ms = now_ms() if until is None else to_ms(until)
    if since is not None:
        since_ms = to_ms(since)
        if since_ms >= until_ms:
            raise InvalidRange("`since` must be earlier than `until`.")
    else:
        since_ms = max(until_ms - DEFAULT_RANGE // timedelta(milliseconds=1), EARLIEST_MS)
        if since_ms >= until_ms:
            raise InvalidRange(
                "`since` (by default 24 hours before `until`, not before 1970) must be earlier "
                "than `until`."
            )
    name = choose_bucket(until_ms - since_ms, bucket)
    result = stats(
        engine,
        since_ms=since_ms,
        until_ms=until_ms,
        bucket_ms=BUCKETS[name] * 1000,
        top=top,
        source=source,
    )
    return result, name
