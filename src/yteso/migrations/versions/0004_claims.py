"""claims: raw claim documents and episode versions (QĐ 130 intake)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:46:37.482992
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import yteso.core.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim_documents",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("transaction_id", sa.String(length=40), nullable=False),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("episode_count", sa.Integer(), nullable=False),
        sa.Column("submitted_by", sa.String(length=100), nullable=False),
        sa.Column("received_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_documents")),
        sa.UniqueConstraint("transaction_id", name=op.f("uq_claim_documents_transaction_id")),
    )
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_documents_facility_sha256", ["facility_code", "sha256"], unique=False
        )

    op.create_table(
        "claim_episodes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("ma_lk", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column(
            "document_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("hoso_index", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("ma_loai_kcb", sa.String(length=2), nullable=True),
        sa.Column("ended_at", yteso.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("end_day", sa.String(length=8), nullable=True),
        sa.Column("received_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("first_received_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delay_seconds", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["claim_documents.id"],
            name=op.f("fk_claim_episodes_document_id_claim_documents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_episodes")),
        sa.UniqueConstraint(
            "facility_code", "ma_lk", "version", name=op.f("uq_claim_episodes_facility_code")
        ),
    )
    with op.batch_alter_table("claim_episodes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_claim_episodes_current", ["facility_code", "ma_lk", "is_current"], unique=False
        )
        batch_op.create_index(
            "ix_claim_episodes_timeliness", ["is_current", "facility_code", "end_day"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("claim_episodes", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_episodes_timeliness")
        batch_op.drop_index("ix_claim_episodes_current")

    op.drop_table("claim_episodes")
    with op.batch_alter_table("claim_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_claim_documents_facility_sha256")

    op.drop_table("claim_documents")
