"""The predictions table and every query on it (SQLAlchemy Core).

The API (apis.ids.routes) is its only reader; the analysts' admin view (cms.ids_admin)
reads through the API. Analysts' triage labels live beside the predictions (``ids_triage``).
The schema itself is created by the Alembic migrations in apis/ids/migrations
(apis.ids.migrate).

Times are stored as integer UTC epoch milliseconds (``created_ms``): SQLite and
PostgreSQL then filter, sort and bucket them with the same integer arithmetic.
The 41 input features are kept as a JSON array in FEATURE_NAMES order (the
model contract), a quarter of the size of the named object.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
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
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    delete,
    func,
    insert,
    select,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from apis.common.key_directory import known_keys_table
from apis.common.pg_copy import copy_rows
from apis.common.timestamps import EARLIEST_MS, epoch_ms, from_epoch_ms
from apis.ids.features import CATEGORICAL_FEATURES, CLASSES, FEATURE_NAMES
from apis.ids.scoring import ATTACK, NORMAL_VERDICT, BatchScores

VERDICTS: tuple[str, ...] = (NORMAL_VERDICT, ATTACK)
# Probability columns, one per class: p_normal, p_dos, p_probe, p_r2l, p_u2r.
PROBABILITY_COLUMNS: dict[str, str] = {name: f"p_{name.lower()}" for name in CLASSES}
SOURCE_MAX_LENGTH = 100
MODEL_VERSION_MAX_LENGTH = 32
MAX_ID = 2**63 - 1  # ids are BIGINT on PostgreSQL, 64-bit integers on SQLite

# An analyst's triage of a prediction.
CONFIRMED_ATTACK, FALSE_POSITIVE, BENIGN_EXPECTED = (
    "confirmed_attack",
    "false_positive",
    "benign_expected",
)
LABELS: tuple[str, ...] = (CONFIRMED_ATTACK, FALSE_POSITIVE, BENIGN_EXPECTED)
# What the label filter accepts besides a label.
LABELLED, UNLABELLED = "labelled", "unlabelled"
NOTE_MAX_LENGTH = 1000

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

# One row per labelled prediction; a prediction's label goes with it if it is ever deleted.
triage = Table(
    "ids_triage",
    metadata,
    Column(
        "prediction_id",
        _Id,
        ForeignKey("ids_predictions.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("label", String(20), nullable=False),
    Column("note", String(NOTE_MAX_LENGTH), nullable=True),
    # Who set it: the principal's user id and "user:<id>" or "key:<prefix>".
    Column("labelled_by_user_id", BigInteger, nullable=False),
    Column("labelled_by", String(SOURCE_MAX_LENGTH), nullable=False),
    Column("labelled_ms", BigInteger, nullable=False),
    Index("ix_ids_triage_label", "label"),
)
# A prediction with its triage (if any): what every read selects from.
_with_triage = predictions.outerjoin(triage, triage.c.prediction_id == predictions.c.id)
_TRIAGE_COLUMNS = (
    triage.c.label.label("t_label"),
    triage.c.note.label("t_note"),
    triage.c.labelled_by_user_id.label("t_user_id"),
    triage.c.labelled_by.label("t_by"),
    triage.c.labelled_ms.label("t_ms"),
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
            # About 3.5x faster than INSERT ... RETURNING in pages for 10,000 rows.
            return copy_rows(connection, predictions.name, _INSERT_COLUMNS, rows)
        statement = predictions.insert().returning(predictions.c.id, sort_by_parameter_order=True)
        params = [dict(zip(_INSERT_COLUMNS, row, strict=True)) for row in rows]
        return list(connection.scalars(statement, params))


def _unknown_names(scores: BatchScores) -> dict[int, str]:
    flagged = np.flatnonzero(scores.unknown.any(axis=1)).tolist()
    return {
        i: ",".join(name for j, name in enumerate(CATEGORICAL_FEATURES) if scores.unknown[i, j])
        for i in flagged
    }


# -- reading -------------------------------------------------------------------


class InvalidCursor(ValueError):
    """A pagination cursor this service did not issue."""


# "p1:<id>": the older page, ids below <id> (the original format, still valid); "n1:<id>":
# the newer page, ids above <id>.
_OLDER, _NEWER = "p1", "n1"


@dataclass(frozen=True, slots=True)
class Cursor:
    id: int
    newer: bool = False  # False: ids below `id`, newest first; True: ids above it


def encode_cursor(last_id: int, *, newer: bool = False) -> str:
    tag = _NEWER if newer else _OLDER
    return base64.urlsafe_b64encode(f"{tag}:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Cursor:
    """The cursor encode_cursor made; anything else (another tag, a number out of the id
    range, any other spelling of the same text) raises InvalidCursor."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        tag, _, value = text.partition(":")
        if tag not in (_OLDER, _NEWER) or not value.isascii() or not value.isdigit():
            raise ValueError
        if len(value) > 19 or int(value) > MAX_ID:
            raise ValueError
        decoded = Cursor(int(value), newer=tag == _NEWER)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidCursor("cursor is not one this API returned") from None
    # Only the exact text this API issues: no padding, leading zeros or other alphabets.
    if encode_cursor(decoded.id, newer=decoded.newer) != cursor:
        raise InvalidCursor("cursor is not one this API returned")
    return decoded


@dataclass(frozen=True, slots=True)
class PredictionFilter:
    """What analysts narrow predictions by; every field optional."""

    since_ms: int | None = None  # inclusive
    until_ms: int | None = None  # exclusive
    verdict: str | None = None
    category: str | None = None
    min_score: float | None = None  # inclusive
    max_score: float | None = None  # inclusive
    model_version: str | None = None
    source: str | None = None
    unknown_only: bool = False
    label: str | None = None  # one of LABELS, LABELLED or UNLABELLED

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
        if self.max_score is not None:
            clauses.append(c.score <= self.max_score)
        if self.model_version is not None:
            clauses.append(c.model_version == self.model_version)
        if self.source is not None:
            clauses.append(c.source == self.source)
        if self.unknown_only:
            clauses.append(c.unknown_features.is_not(None))
        if self.label == LABELLED:
            clauses.append(triage.c.prediction_id.is_not(None))
        elif self.label == UNLABELLED:
            clauses.append(triage.c.prediction_id.is_(None))
        elif self.label is not None:
            clauses.append(triage.c.label == self.label)
        return clauses

    def table(self) -> FromClause:
        """What the clauses select from: the triage join only when a label is asked for, so
        counts over many predictions skip it."""
        return _with_triage if self.label is not None else predictions


@dataclass(frozen=True, slots=True)
class Triage:
    label: str
    note: str | None
    labelled_by_user_id: int
    labelled_by: str
    labelled_at: datetime


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
    triage: Triage | None = None

    @classmethod
    def from_row(cls, row: Any) -> StoredPrediction:
        features = dict(zip(FEATURE_NAMES, json.loads(row.features), strict=True))
        unknown = row.unknown_features.split(",") if row.unknown_features else []
        label = getattr(row, "t_label", None)
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
            triage=None
            if label is None
            else Triage(label, row.t_note, row.t_user_id, row.t_by, from_ms(row.t_ms)),
        )


def _select_predictions(where: PredictionFilter) -> Select[Any]:
    return select(predictions, *_TRIAGE_COLUMNS).select_from(_with_triage).where(*where.clauses())


@dataclass(frozen=True, slots=True)
class Page:
    items: list[StoredPrediction]  # newest first
    next_cursor: str | None  # older predictions
    prev_cursor: str | None = None  # newer predictions
    total: int | None = None  # every match of the filter, when counted


def _exists(connection: Connection, where: PredictionFilter, clause: ColumnElement[bool]) -> bool:
    found = connection.execute(
        select(predictions.c.id).select_from(where.table()).where(*where.clauses(), clause).limit(1)
    )
    return found.first() is not None


def count_predictions(engine: Engine, where: PredictionFilter) -> int:
    statement = select(func.count()).select_from(where.table()).where(*where.clauses())
    with engine.connect() as connection:
        return int(connection.execute(statement).scalar_one())


def list_predictions(
    engine: Engine,
    where: PredictionFilter,
    *,
    limit: int,
    cursor: str | None = None,
    count: bool = False,
) -> Page:
    """Newest first, ``limit`` at a time; ``next_cursor`` continues with older predictions,
    ``prev_cursor`` goes back to newer ones; ``total`` counts every match when ``count``.

    Raises InvalidCursor for a cursor not made by encode_cursor.
    """
    at = decode_cursor(cursor) if cursor else None
    c = predictions.c
    statement = _select_predictions(where)
    with engine.connect() as connection:
        if at is not None and at.newer:
            # The `limit` predictions just above the cursor, read upwards, shown newest first.
            rows = connection.execute(
                statement.where(c.id > at.id).order_by(c.id.asc()).limit(limit + 1)
            ).all()
            items = [StoredPrediction.from_row(row) for row in reversed(rows[:limit])]
            prev = encode_cursor(items[0].id, newer=True) if len(rows) > limit else None
            if items:
                older = _exists(connection, where, c.id < items[-1].id)
                following = encode_cursor(items[-1].id) if older else None
            else:  # nothing newer any more: continue from the cursor itself
                older = at.id < MAX_ID and _exists(connection, where, c.id <= at.id)
                following = encode_cursor(at.id + 1) if older else None
        else:
            if at is not None:
                statement = statement.where(c.id < at.id)
            rows = connection.execute(statement.order_by(c.id.desc()).limit(limit + 1)).all()
            items = [StoredPrediction.from_row(row) for row in rows[:limit]]
            following = encode_cursor(items[-1].id) if len(rows) > limit and items else None
            prev = None
            if at is not None:  # the first page has nothing newer by definition
                if items:
                    if _exists(connection, where, c.id > items[0].id):
                        prev = encode_cursor(items[0].id, newer=True)
                elif at.id > 0 and _exists(connection, where, c.id >= at.id):
                    prev = encode_cursor(at.id - 1, newer=True)
        total = None
        if count:
            total = int(
                connection.execute(
                    select(func.count()).select_from(where.table()).where(*where.clauses())
                ).scalar_one()
            )
    return Page(items, following, prev, total)


def get_prediction(engine: Engine, prediction_id: int) -> StoredPrediction | None:
    statement = _select_predictions(PredictionFilter()).where(predictions.c.id == prediction_id)
    with engine.connect() as connection:
        row = connection.execute(statement).first()
    return None if row is None else StoredPrediction.from_row(row)


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


# -- triage ----------------------------------------------------------------------


class UnknownPredictions(LookupError):
    """Some of the ids to label are no stored prediction; nothing was changed."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(f"no prediction with id {', '.join(map(str, ids[:10]))}")
        self.ids = ids


def set_triage(
    engine: Engine,
    ids: Sequence[int],
    label: str | None,
    *,
    note: str | None = None,
    user_id: int,
    by: str,
    at_ms: int | None = None,
) -> list[int]:
    """Label the predictions (``label=None`` clears them) in one transaction: all or nothing.

    A new label replaces the old one with its note, author and time. Returns the ids, sorted;
    raises UnknownPredictions (changing nothing) when any id is not a stored prediction.
    """
    if label is not None and label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}")
    wanted = sorted(set(ids))
    if not wanted:
        return []
    at = now_ms() if at_ms is None else at_ms
    with engine.begin() as connection:
        # FOR UPDATE (PostgreSQL) serialises two analysts labelling the same predictions, so
        # the second one's insert cannot collide with the first one's; SQLite has one writer.
        found: set[int] = set(
            connection.scalars(
                select(predictions.c.id)
                .where(predictions.c.id.in_(wanted))
                .with_for_update(of=predictions)
            )
        )
        missing = [i for i in wanted if i not in found]
        if missing:
            raise UnknownPredictions(missing)
        connection.execute(delete(triage).where(triage.c.prediction_id.in_(wanted)))
        if label is not None:
            connection.execute(
                insert(triage),
                [
                    {
                        "prediction_id": prediction_id,
                        "label": label,
                        "note": note,
                        "labelled_by_user_id": user_id,
                        "labelled_by": by,
                        "labelled_ms": at,
                    }
                    for prediction_id in wanted
                ],
            )
    return wanted


@dataclass(frozen=True, slots=True)
class VersionPrecision:
    model_version: str
    alerts: int  # attack verdicts
    labelled: int  # alerts with a label
    confirmed: int
    false_positives: int
    benign_expected: int
    missed: int  # normal verdicts an analyst labelled confirmed_attack

    @property
    def precision(self) -> float | None:
        """confirmed / (confirmed + false positives); None before any such label."""
        judged = self.confirmed + self.false_positives
        return self.confirmed / judged if judged else None


def precision_by_version(engine: Engine, where: PredictionFilter) -> list[VersionPrecision]:
    """Per model version with predictions matching ``where``: its alerts and their labels,
    newest version (by its latest prediction) first."""
    c, t = predictions.c, triage.c
    alert = c.verdict == ATTACK

    def counted(*conditions: ColumnElement[bool]) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    statement = (
        select(
            c.model_version,
            counted(alert).label("alerts"),
            counted(alert, t.prediction_id.is_not(None)).label("labelled"),
            counted(alert, t.label == CONFIRMED_ATTACK).label("confirmed"),
            counted(alert, t.label == FALSE_POSITIVE).label("false_positives"),
            counted(alert, t.label == BENIGN_EXPECTED).label("benign_expected"),
            counted(c.verdict != ATTACK, t.label == CONFIRMED_ATTACK).label("missed"),
        )
        .select_from(_with_triage)
        .where(*where.clauses())
        .group_by(c.model_version)
        .order_by(func.max(c.id).desc())
    )
    with engine.connect() as connection:
        return [
            VersionPrecision(
                row.model_version,
                int(row.alerts),
                int(row.labelled),
                int(row.confirmed),
                int(row.false_positives),
                int(row.benign_expected),
                int(row.missed),
            )
            for row in connection.execute(statement)
        ]


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


# Where each end of a statistics range came from.
WINDOW, DATA, DEFAULT = "window", "data", "default"


@dataclass(frozen=True, slots=True)
class Stats:
    since_ms: int
    until_ms: int
    bucket_ms: int
    buckets: list[Bucket]  # every bucket of the range, empty ones included
    top_sources: list[SourceCount]
    model_versions: dict[str, int]  # predictions per model version in the range
    labels: dict[str, int]  # predictions per triage label in the range, and UNLABELLED
    since_from: str = WINDOW  # WINDOW (asked for), DATA (the first match) or DEFAULT
    until_from: str = WINDOW  # WINDOW, DATA (just after the last match) or DEFAULT (now)

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
    where: PredictionFilter | None = None,
    source: str | None = None,
) -> Stats:
    """Counts per verdict and category per time bucket, top sources, model versions and
    triage labels, over [since, until) and every other condition of ``where``."""
    where = where or PredictionFilter()
    where = replace(
        where,
        since_ms=since_ms,
        until_ms=until_ms,
        source=source if source is not None else where.source,
    )
    clauses, table = where.clauses(), where.table()
    c = predictions.c
    # Integer division on both backends (SQLAlchemy renders // as / for integers).
    bucket = (c.created_ms // bucket_ms).label("bucket")
    per_bucket = (
        select(bucket, c.verdict, c.category, func.count().label("n"))
        .select_from(table)
        .where(*clauses)
        .group_by(bucket, c.verdict, c.category)
    )
    attacks = func.sum(case((c.verdict == ATTACK, 1), else_=0))
    per_source = (
        select(c.source, func.count().label("n"), attacks.label("attacks"))
        .select_from(table)
        .where(*clauses)
        .group_by(c.source)
        .order_by(func.count().desc(), c.source)
        .limit(top)
    )
    per_version = (
        select(c.model_version, func.count().label("n"))
        .select_from(table)
        .where(*clauses)
        .group_by(c.model_version)
    )
    # From the (few) labels to their predictions, not the other way round.
    per_label = (
        select(triage.c.label, func.count().label("n"))
        .select_from(triage.join(predictions, triage.c.prediction_id == c.id))
        .where(*clauses)
        .group_by(triage.c.label)
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
        labels = dict.fromkeys(LABELS, 0) | {
            row.label: row.n for row in connection.execute(per_label)
        }
    ordered = [buckets[start] for start in sorted(buckets)]
    labels[UNLABELLED] = sum(b.total for b in ordered) - sum(labels.values())
    return Stats(
        since_ms=since_ms,
        until_ms=until_ms,
        bucket_ms=bucket_ms,
        buckets=ordered,
        top_sources=sources,
        model_versions=versions,
        labels=labels,
    )


# -- time ranges for statistics (the API and the admin chart) --------------------

BUCKETS: dict[str, int] = {
    "1m": 60,
    "5m": 300,
    "15m": 900,
    "1h": 3600,
    "6h": 6 * 3600,
    "1d": 86400,
    "7d": 7 * 86400,
    "30d": 30 * 86400,
}
AUTO_BUCKETS = 120  # an automatic bucket keeps a chart to about this many bars
MAX_BUCKETS = 1440
DEFAULT_RANGE = timedelta(days=1)
_DAY_MS = DEFAULT_RANGE // timedelta(milliseconds=1)
# The longest range the largest bucket can draw: a range taken from the data is cut to it.
_LONGEST_MS = MAX_BUCKETS * max(BUCKETS.values()) * 1000


class InvalidRange(ValueError):
    """A time range or bucket that cannot be answered; the message says why."""


def choose_bucket(span_ms: int, requested: str | None = None) -> str:
    """The requested bucket, or the smallest giving at most AUTO_BUCKETS buckets."""
    if requested is None:
        fitting = [name for name, s in BUCKETS.items() if span_ms / (s * 1000) <= AUTO_BUCKETS]
        requested = fitting[0] if fitting else next(reversed(BUCKETS))
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


def data_extent(engine: Engine, where: PredictionFilter) -> tuple[int | None, int | None]:
    """The times of the first and the last prediction matching ``where`` (None: no match)."""
    c = predictions.c
    statement = (
        select(func.min(c.created_ms), func.max(c.created_ms))
        .select_from(where.table())
        .where(*where.clauses())
    )
    with engine.connect() as connection:
        first, last = connection.execute(statement).one()
    return first, last


def range_stats(
    engine: Engine,
    where: PredictionFilter | None = None,
    *,
    bucket: str | None = None,
    top: int = 10,
) -> tuple[Stats, str]:
    """stats() over the filter's [since, until), with the bucket's name.

    An end the filter leaves open follows the data: ``since`` is the first matching
    prediction, ``until`` just after the last one; with no match at all, the range is the
    day before now (not before 1970). The API bounds the times it is given
    (apis.common.timestamps) and the defaults are computed in integers, so they cannot
    overflow the calendar either.
    """
    where = where or PredictionFilter()
    since_ms, until_ms = where.since_ms, where.until_ms
    if since_ms is not None and until_ms is not None and since_ms >= until_ms:
        raise InvalidRange("`since` must be earlier than `until`.")
    first = last = None
    if since_ms is None or until_ms is None:
        first, last = data_extent(engine, where)
    since_from = until_from = WINDOW
    if until_ms is None:
        if last is not None:
            until_ms, until_from = last + 1, DATA
        else:
            until_ms, until_from = now_ms(), DEFAULT
            if since_ms is not None and until_ms <= since_ms:  # a window opening in the future
                until_ms = since_ms + _DAY_MS
    if since_ms is None:
        if first is not None:
            since_ms, since_from = max(first, until_ms - _LONGEST_MS), DATA
        else:
            since_ms, since_from = max(until_ms - _DAY_MS, EARLIEST_MS), DEFAULT
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
        where=where,
    )
    return replace(result, since_from=since_from, until_from=until_from), name
