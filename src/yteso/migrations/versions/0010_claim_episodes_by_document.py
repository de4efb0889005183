"""claims: episode versions by the file that brought them

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 01:45:00

A file sent again byte for byte is a no-op only while it still holds the current version
of each of its episodes (a correction may have come in between): counted by document.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_claim_episodes_document", "claim_episodes", ["document_id", "is_current"])


def downgrade() -> None:
    op.drop_index("ix_claim_episodes_document", table_name="claim_episodes")
