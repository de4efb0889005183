"""patient index: source records, link history, review queue, merges, blocking keys

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yteso.core.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patient_source_records",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("local_id", sa.String(length=50), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("origin", sa.String(length=20), nullable=False),
        sa.Column("full_name", sa.String(length=255), nullable=False),
        sa.Column("birth_date", sa.String(length=10), nullable=False),
        sa.Column("sex", sa.SmallInteger(), nullable=False),
        sa.Column(
            "identifiers",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("commune_code", sa.String(length=5), nullable=True),
        sa.Column("address_line", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=15), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("created_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_patient_source_records_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_source_records")),
    )
    with op.batch_alter_table("patient_source_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_source_records_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_patient_source_records_facility_local", ["facility_code", "local_id"], unique=True
        )

    op.create_table(
        "person_block_keys",
        sa.Column("key_hash", sa.BigInteger(), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.id"],
            name=op.f("fk_person_block_keys_person_id_persons"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_hash", "person_id", name=op.f("pk_person_block_keys")),
    )
    op.create_table(
        "person_merges",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "survivor_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "merged_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "source_record_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "identifier_ids",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("created_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("undone_at", yteso.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["merged_id"], ["persons.id"], name=op.f("fk_person_merges_merged_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["survivor_id"], ["persons.id"], name=op.f("fk_person_merges_survivor_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_merges")),
    )
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_merges_merged_id"), ["merged_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_person_merges_survivor_id"), ["survivor_id"], unique=False
        )

    op.create_table(
        "patient_link_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "source_record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "explanation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("created_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_patient_link_events_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["patient_source_records.id"],
            name=op.f("fk_patient_link_events_source_record_id_patient_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_link_events")),
    )
    with op.batch_alter_table("patient_link_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_link_events_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patient_link_events_source_record_id"),
            ["source_record_id"],
            unique=False,
        )

    op.create_table(
        "patient_review_items",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "source_record_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "candidate_person_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column(
            "explanation",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", yteso.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_person_id"],
            ["persons.id"],
            name=op.f("fk_patient_review_items_candidate_person_id_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["source_record_id"],
            ["patient_source_records.id"],
            name=op.f("fk_patient_review_items_source_record_id_patient_source_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_review_items")),
    )
    with op.batch_alter_table("patient_review_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_patient_review_items_facility_code"), ["facility_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_patient_review_items_source_record_id"),
            ["source_record_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_patient_review_items_status"), ["status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("patient_review_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_review_items_status"))
        batch_op.drop_index(batch_op.f("ix_patient_review_items_source_record_id"))
        batch_op.drop_index(batch_op.f("ix_patient_review_items_facility_code"))

    op.drop_table("patient_review_items")
    with op.batch_alter_table("patient_link_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_link_events_source_record_id"))
        batch_op.drop_index(batch_op.f("ix_patient_link_events_person_id"))

    op.drop_table("patient_link_events")
    with op.batch_alter_table("person_merges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_merges_survivor_id"))
        batch_op.drop_index(batch_op.f("ix_person_merges_merged_id"))

    op.drop_table("person_merges")
    op.drop_table("person_block_keys")
    with op.batch_alter_table("patient_source_records", schema=None) as batch_op:
        batch_op.drop_index("uq_patient_source_records_facility_local")
        batch_op.drop_index(batch_op.f("ix_patient_source_records_person_id"))

    op.drop_table("patient_source_records")
