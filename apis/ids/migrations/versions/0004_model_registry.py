"""The model registry: stored versions, which one serves and which runs in shadow, the
history of those changes, and what the shadow model said about each prediction.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ids_model_versions",
        sa.Column("version", sa.String(32), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("artifact", sa.LargeBinary(), nullable=False),
        sa.Column("card", sa.Text(), nullable=False),
        sa.Column("confusion_svg", sa.Text(), nullable=True),
        sa.Column("registered_ms", sa.BigInteger(), nullable=False),
        sa.Column("registered_by", sa.String(100), nullable=False),
    )
    state = op.create_table(
        "ids_model_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("active", sa.String(32), sa.ForeignKey("ids_model_versions.version")),
        sa.Column("shadow", sa.String(32), sa.ForeignKey("ids_model_versions.version")),
        sa.Column("previous", sa.String(32), sa.ForeignKey("ids_model_versions.version")),
        sa.Column("changed_ms", sa.BigInteger(), nullable=False),
    )
    # Its one row exists from the start, so replicas starting together only ever update it.
    op.bulk_insert(state, [{"id": 1, "changed_ms": 0}])
    op.create_table(
        "ids_model_events",
        sa.Column("id", _Id, primary_key=True, autoincrement=True),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("version", sa.String(32), nullable=True),
        sa.Column("previous", sa.String(32), nullable=True),
        sa.Column("by", sa.String(100), nullable=False),
    )
    op.create_table(
        "ids_shadow_predictions",
        sa.Column(
            "prediction_id",
            _Id,
            sa.ForeignKey("ids_predictions.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("model_version", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("category", sa.String(8), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
    )
    op.create_index(
        "ix_ids_shadow_predictions_version", "ids_shadow_predictions", ["model_version"]
    )


def downgrade() -> None:
    op.drop_table("ids_shadow_predictions")
    op.drop_table("ids_model_events")
    op.drop_table("ids_model_state")
    op.drop_table("ids_model_versions")
