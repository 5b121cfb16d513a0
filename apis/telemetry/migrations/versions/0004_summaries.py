"""Per-minute and per-hour summaries of the readings (apis.telemetry.rollups), made from those
already stored: one pass over the readings per level.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from apis.telemetry import rollups, tables

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in (tables.minutes, tables.hours):
        table.to_metadata(sa.MetaData()).create(op.get_bind())
    rollups.rebuild(op.get_bind())


def downgrade() -> None:
    op.drop_table(tables.hours.name)
    op.drop_table(tables.minutes.name)
