"""PostgreSQL: readings partitioned by month of `ts` (SQLite: no change).

The table is rebuilt: renamed aside, created again as a partitioned table with the same
columns, id sequence and keys (the primary key becomes (id, ts): a partitioned table's
unique keys include its partition key), given one partition per month that has readings and
per month of the window kept ready (partitions.window), filled, and the old table dropped. The readings are copied once,
so this takes as long as rewriting the table.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

from apis.telemetry import partitions

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEYS = (
    ("telemetry_readings_pkey", "PRIMARY KEY ({})"),
    ("uq_telemetry_readings_robot_ts_seq", "UNIQUE (robot_id, ts, seq)"),
)


def _set_aside(table: str) -> None:
    """Rename the table and its keys and index out of the way of their new versions."""
    op.execute(f"ALTER TABLE {table} RENAME TO {table}_old")
    for constraint, _definition in _KEYS:
        op.execute(f"ALTER TABLE {table}_old RENAME CONSTRAINT {constraint} TO {constraint}_old")
    op.execute("ALTER INDEX ix_telemetry_readings_ts RENAME TO ix_telemetry_readings_ts_old")


def _finish(table: str, primary_key: str) -> None:
    """Keys, index and sequence on the new table; rows copied in; the old table dropped."""
    for constraint, definition in _KEYS:
        columns = definition.format(primary_key)
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {columns}")
    op.execute(f"CREATE INDEX ix_telemetry_readings_ts ON {table} (ts)")
    op.execute(f"ALTER SEQUENCE telemetry_readings_id_seq OWNED BY {table}.id")
    op.execute(f"INSERT INTO {table} SELECT * FROM {table}_old")
    op.execute(f"DROP TABLE {table}_old")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    table = partitions.PARENT
    _set_aside(table)
    op.execute(
        f"CREATE TABLE {table} (LIKE {table}_old INCLUDING DEFAULTS) PARTITION BY RANGE (ts)"
    )
    days = op.get_bind().exec_driver_sql(
        f"SELECT DISTINCT ts / {partitions.DAY_MS} FROM {table}_old"
    )
    months = {partitions.month_of(day * partitions.DAY_MS) for (day,) in days}
    partitions.create(op.get_bind(), months | partitions.window())
    _finish(table, "id, ts")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    table = partitions.PARENT
    _set_aside(table)
    op.execute(f"CREATE TABLE {table} (LIKE {table}_old INCLUDING DEFAULTS)")
    _finish(table, "id")
