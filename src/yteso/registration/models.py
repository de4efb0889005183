"""Queue tickets, their per-department number counters and kiosk interactions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from yteso.core.db import Base, UtcDateTime, utcnow

_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")
_JSON = JSON().with_variant(JSONB(), "postgresql")


class QueueCounter(Base):
    """The last number issued in one department of one facility on one service day.

    Incremented in the ticket's own transaction (row locked until commit), so numbers are
    unique and a rolled-back ticket gives its number back: no gaps.
    """

    __tablename__ = "queue_counters"

    facility_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    department_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    service_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class QueueTicket(Base):
    __tablename__ = "queue_tickets"
    __table_args__ = (
        # The last line of defence behind the counter: two tickets never share a number.
        UniqueConstraint(
            "facility_code", "department_code", "service_day", "number",
            name="uq_queue_tickets_number",
        ),
        UniqueConstraint("facility_code", "request_id", name="uq_queue_tickets_request"),
        Index(
            "ix_queue_tickets_queue", "facility_code", "department_code", "service_day", "status"
        ),
        Index("ix_queue_tickets_person_day", "person_id", "service_day"),
        Index("ix_queue_tickets_board", "facility_code", "service_day", "called_at"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    facility_code: Mapped[str] = mapped_column(String(5))
    department_code: Mapped[str] = mapped_column(String(20))
    # The day in Vietnam time (UTC+7) the ticket belongs to: numbering restarts each day.
    service_day: Mapped[date] = mapped_column(Date)
    number: Mapped[int] = mapped_column(Integer)
    # none, child (under 6), elderly (75+), pregnant, disability (Luật KBCB 2023, Điều 16).
    priority: Mapped[str] = mapped_column(String(16), default="none")
    person_id: Mapped[int] = mapped_column(_BIG_ID)
    # waiting, called, skipped, transferred, completed
    status: Mapped[str] = mapped_column(String(16), default="waiting")
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    called_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    counter: Mapped[str | None] = mapped_column(String(60))  # room or counter that called it
    encounter_id: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(64))
    transferred_from: Mapped[int | None] = mapped_column(_BIG_ID)
    insured: Mapped[bool] = mapped_column(Boolean, default=False)


class KioskInteraction(Base):
    """One patient's few minutes at a kiosk: the browser holds only a random token.

    The token (stored as its SHA-256) stands for the person and the eligibility result,
    so no person id or card data has to travel back from the screen.
    """

    __tablename__ = "kiosk_interactions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(5))
    client_id: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(_BIG_ID)
    # What the kiosk was given before the person was known (unknown typed number).
    identifier_kind: Mapped[str | None] = mapped_column(String(32))
    identifier_value: Mapped[str | None] = mapped_column(String(32))
    snapshot: Mapped[dict[str, Any]] = mapped_column(_JSON, default=dict)
    ticket_id: Mapped[int | None] = mapped_column(_BIG_ID)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
