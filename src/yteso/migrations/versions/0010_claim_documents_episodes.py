"""claims: the episodes each received file holds

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:45:00

A file sent again byte for byte is a no-op only while each of its episodes is still the
current version (a correction may have come in between). Each file keeps its episodes'
MA_LK and content digest to tell; files received before stay without (compared in full).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("claim_documents", sa.Column("episode_digests", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("claim_documents") as table:
        table.drop_column("episode_digests")
