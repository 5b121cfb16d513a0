"""Readings with a deduplication key, and the latest reading per robot.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _reading_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("ts", sa.BigInteger(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False, server_default="-1"),
        sa.Column("x", sa.Float(), nullable=False),
        sa.Column("y", sa.Float(), nullable=False),
        sa.Column("z", sa.Float(), nullable=True),
        sa.Column("heading", sa.Float(), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.Column("battery", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("received_at", sa.BigInteger(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "telemetry_readings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("robot_id", sa.String(50), nullable=False),
        *_reading_columns(),
        sa.UniqueConstraint("robot_id", "ts", "seq", name="uq_telemetry_readings_robot_ts_seq"),
    )
    op.create_index("ix_telemetry_readings_ts", "telemetry_readings", ["ts"])
    op.create_table(
        "telemetry_latest",
        sa.Column("robot_id", sa.String(50), primary_key=True),
        sa.Column("reading_id", sa.BigInteger(), nullable=False),
        *_reading_columns(),
    )


def downgrade() -> None:
    op.drop_table("telemetry_latest")
    op.drop_index("ix_telemetry_readings_ts", table_name="telemetry_readings")
    op.drop_table("telemetry_readings")
