"""Predictions: one row per scored record.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROBABILITY_COLUMNS = ("p_normal", "p_dos", "p_probe", "p_r2l", "p_u2r")


def upgrade() -> None:
    op.create_table(
        "ids_predictions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(100), nullable=False),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        *(sa.Column(name, sa.Float(), nullable=False) for name in PROBABILITY_COLUMNS),
        sa.Column("unknown_features", sa.String(64), nullable=True),
        sa.Column("features", sa.Text(), nullable=False),
    )
    op.create_index("ix_ids_predictions_created_ms", "ids_predictions", ["created_ms"])
    op.create_index("ix_ids_predictions_source_id", "ids_predictions", ["source", "id"])
    op.create_index("ix_ids_predictions_category_id", "ids_predictions", ["category", "id"])


def downgrade() -> None:
    op.drop_table("ids_predictions")
