from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yteso.core.db import Base, UtcDateTime, utcnow

_BIGINT = BigInteger().with_variant(Integer, "sqlite")
_JSON = JSON().with_variant(JSONB(), "postgresql")


class Person(Base):
    """One citizen: the golden record every facility's patient records link to."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_name_key_birth_date", "name_key", "birth_date"),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    family_name: Mapped[str] = mapped_column(String(60))
    middle_name: Mapped[str] = mapped_column(String(120), default="")
    given_name: Mapped[str] = mapped_column(String(60))
    full_name: Mapped[str] = mapped_column(String(255))
    # Full name without diacritics, lower case: "nguyen thi thu ha".
    name_key: Mapped[str] = mapped_column(String(255))
    sex: Mapped[int] = mapped_column(SmallInteger)  # QĐ 130 GIOI_TINH: 1 male, 2 female, 3 unknown
    birth_date: Mapped[date | None] = mapped_column(Date)
    # How much of birth_date is known: "day", "month" or "year" (QĐ 130 writes 0000 for unknown).
    birth_date_precision: Mapped[str] = mapped_column(String(5), default="day")
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    address_line: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(15))
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    identifiers: Mapped[list[PersonIdentifier]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin"
    )


class PersonIdentifier(Base):
    """An identifier of a person in a VN Core naming system (CCCD, BHYT, CMND, passport)."""

    __tablename__ = "person_identifiers"
    __table_args__ = (Index("uq_person_identifiers_kind_value", "kind", "value", unique=True),)

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # see IdentifierKind
    value: Mapped[str] = mapped_column(String(32))

    person: Mapped[Person] = relationship(back_populates="identifiers")


class SourceRecord(Base):
    """A facility's own patient record (MA_BN at one MA_CSKCB), linked to one person.

    Never deleted: merges and unmerges only move the link.
    """

    __tablename__ = "patient_source_records"
    __table_args__ = (
        Index("uq_patient_source_records_facility_local", "facility_code", "local_id", unique=True),
    )

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    facility_code: Mapped[str] = mapped_column(String(5))
    local_id: Mapped[str] = mapped_column(String(50))  # MA_BN
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    origin: Mapped[str] = mapped_column(String(20))  # kiosk, claims, fhir, api
    full_name: Mapped[str] = mapped_column(String(255))
    birth_date: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, YYYY-MM, YYYY or ""
    sex: Mapped[int] = mapped_column(SmallInteger)
    identifiers: Mapped[dict[str, str]] = mapped_column(_JSON)  # kind -> value, valid only
    commune_code: Mapped[str | None] = mapped_column(String(5))
    address_line: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(15))
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class LinkEvent(Base):
    """Link history: each decision with its score and per-field explanation."""

    __tablename__ = "patient_link_events"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("patient_source_records.id"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # linked, created, merged, unmerged …
    rule: Mapped[str] = mapped_column(String(40))
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[list[dict[str, object]]] = mapped_column(_JSON)
    actor: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ReviewItem(Base):
    """A pair a person must decide on: the incoming record and the person it may be."""

    __tablename__ = "patient_review_items"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    source_record_id: Mapped[int] = mapped_column(
        ForeignKey("patient_source_records.id"), index=True
    )
    candidate_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    facility_code: Mapped[str] = mapped_column(String(5), index=True)
    score: Mapped[float | None] = mapped_column(Float)
    explanation: Mapped[list[dict[str, object]]] = mapped_column(_JSON)
    reason: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class PersonMerge(Base):
    """One person's records moved into another's; undone by unmerge, never forgotten."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(_BIGINT, primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # What moved, so unmerge puts back exactly that.
    source_record_ids: Mapped[list[int]] = mapped_column(_JSON)
    identifier_ids: Mapped[list[int]] = mapped_column(_JSON)
    actor: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    undone_by: Mapped[str | None] = mapped_column(String(100))


class PersonBlockKey(Base):
    """Blocking keys of a person (hashed to 64 bits) for real-time candidate lookup."""

    __tablename__ = "person_block_keys"

    key_hash: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
