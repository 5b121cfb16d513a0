"""The telemetry database (SQLAlchemy Core): every reading, and the latest one per robot.

Times are integers: milliseconds since the Unix epoch, UTC, the same on SQLite and PostgreSQL,
cheap to index and to bucket. `seq` is -1 when the robot sent none, so the deduplication key
(robot_id, ts, seq) never holds a NULL (NULLs never collide in a unique index).
"""

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from apis.common.key_directory import known_keys_table

NO_SEQ = -1

metadata = MetaData()


def _reading_columns() -> list[Column[Any]]:
    return [
        Column("ts", BigInteger, nullable=False),
        Column("seq", BigInteger, nullable=False, server_default=str(NO_SEQ)),
        Column("x", Float, nullable=False),
        Column("y", Float, nullable=False),
        Column("z", Float),
        Column("heading", Float, nullable=False),
        Column("speed", Float, nullable=False),
        Column("battery", Float, nullable=False),
        Column("status", String(16), nullable=False),
        Column("extra", Text),  # compact JSON text, at most 2 KB
        Column("received_at", BigInteger, nullable=False),
    ]


readings = Table(
    "telemetry_readings",
    metadata,
    # INTEGER on SQLite makes it the rowid: ids in insertion order, no extra index.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("robot_id", String(50), nullable=False),
    *_reading_columns(),
    # Retries are safe: a repeated (robot, time, seq) is stored once. The same index serves
    # history queries by robot and time range.
    UniqueConstraint("robot_id", "ts", "seq", name="uq_telemetry_readings_robot_ts_seq"),
    Index("ix_telemetry_readings_ts", "ts"),  # retention deletes by age
)

# One row per robot, only ever moved forward in (ts, seq): out-of-order readings leave it be.
latest = Table(
    "telemetry_latest",
    metadata,
    Column("robot_id", String(50), primary_key=True),
    Column("reading_id", BigInteger, nullable=False),
    *_reading_columns(),
)

READING_FIELDS = ("ts", "seq", "x", "y", "z", "heading", "speed", "battery", "status", "extra")
NUMERIC_FIELDS = ("x", "y", "z", "heading", "speed", "battery")

# The key records this service verified (apis.common.key_directory).
known_keys = known_keys_table("telemetry", metadata)


def _summary_table(name: str) -> Table:
    columns: list[Column[Any]] = [
        Column("robot_id", String(50), primary_key=True),
        Column("start", BigInteger, primary_key=True),  # ms since the epoch
        Column("n", Integer, nullable=False),  # readings
        Column("n_z", Integer, nullable=False),  # readings with a z (the one optional field)
    ]
    for field in NUMERIC_FIELDS:
        columns += [Column(f"{kind}_{field}", Float) for kind in ("sum", "min", "max")]
    columns += [Column("last_ts", BigInteger, nullable=False)]
    columns += [Column("last_seq", BigInteger, nullable=False)]
    columns += [Column(f"last_{field}", Float) for field in NUMERIC_FIELDS]
    return Table(name, metadata, *columns)


# Summaries of each robot's readings per UTC minute and per UTC hour that has any, kept by
# ingest in the same transaction: history in buckets reads these instead of every reading
# (apis.telemetry.rollups). A sixtieth of the rows at each level, so no partitions.
minutes = _summary_table("telemetry_minutes")
hours = _summary_table("telemetry_hours")
