"""registration: queue tickets, number counters, kiosk interactions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:20:48
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yteso.core.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_interactions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("identifier_kind", sa.String(length=32), nullable=True),
        sa.Column("identifier_value", sa.String(length=32), nullable=True),
        sa.Column(
            "snapshot",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("created_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_kiosk_interactions")),
    )
    with op.batch_alter_table("kiosk_interactions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kiosk_interactions_expires_at"), ["expires_at"], unique=False
        )

    op.create_table(
        "queue_counters",
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("department_code", sa.String(length=20), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "facility_code", "department_code", "service_day", name=op.f("pk_queue_counters")
        ),
    )
    op.create_table(
        "queue_tickets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("facility_code", sa.String(length=5), nullable=False),
        sa.Column("department_code", sa.String(length=20), nullable=False),
        sa.Column("service_day", sa.Date(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", yteso.core.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("called_at", yteso.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", yteso.core.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("call_count", sa.Integer(), nullable=False),
        sa.Column("counter", sa.String(length=60), nullable=True),
        sa.Column("encounter_id", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column(
            "transferred_from", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("insured", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queue_tickets")),
        sa.UniqueConstraint(
            "facility_code",
            "department_code",
            "service_day",
            "number",
            name="uq_queue_tickets_number",
        ),
        sa.UniqueConstraint("facility_code", "request_id", name="uq_queue_tickets_request"),
    )
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_queue_tickets_board", ["facility_code", "service_day", "called_at"], unique=False
        )
        batch_op.create_index(
            "ix_queue_tickets_person_day", ["person_id", "service_day"], unique=False
        )
        batch_op.create_index(
            "ix_queue_tickets_queue",
            ["facility_code", "department_code", "service_day", "status"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("queue_tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_queue_tickets_queue")
        batch_op.drop_index("ix_queue_tickets_person_day")
        batch_op.drop_index("ix_queue_tickets_board")

    op.drop_table("queue_tickets")
    op.drop_table("queue_counters")
    with op.batch_alter_table("kiosk_interactions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_interactions_expires_at"))

    op.drop_table("kiosk_interactions")
