"""Triage: an analyst's label on a prediction (confirmed attack, false positive, benign).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ids_triage",
        sa.Column(
            "prediction_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            sa.ForeignKey("ids_predictions.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("label", sa.String(20), nullable=False),
        sa.Column("note", sa.String(1000), nullable=True),
        sa.Column("labelled_by_user_id", sa.BigInteger(), nullable=False),
        sa.Column("labelled_by", sa.String(100), nullable=False),
        sa.Column("labelled_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_ids_triage_label", "ids_triage", ["label"])


def downgrade() -> None:
    op.drop_table("ids_triage")
