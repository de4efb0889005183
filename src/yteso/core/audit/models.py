from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from yteso.core.db import Base, UtcDateTime, utcnow


class AuditEvent(Base):
    """One access to a person's data (Nghị định 13/2023): who, as what, from where, did what."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_resource", "resource_type", "resource_id"),
        Index("ix_audit_events_recorded_at", "recorded_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))  # staff, client, anonymous
    actor_id: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(32))
    facility_code: Mapped[str | None] = mapped_column(String(5))
    action: Mapped[str] = mapped_column(String(32))  # read, search, create, update, delete…
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str | None] = mapped_column(String(128))
    outcome: Mapped[str] = mapped_column(String(16))  # success, denied, failed
    detail: Mapped[str | None] = mapped_column(String(500))
    client_address: Mapped[str | None] = mapped_column(String(64))
