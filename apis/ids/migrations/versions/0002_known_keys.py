"""The key records this service verified, kept for when the CMS cannot be asked.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from apis.common.key_directory import known_keys_table

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    known_keys_table("ids", sa.MetaData()).create(op.get_bind())


def downgrade() -> None:
    known_keys_table("ids", sa.MetaData()).drop(op.get_bind())
