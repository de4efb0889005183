from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yteso.core.db import Base, UtcDateTime, utcnow

_BIGINT = BigInteger().with_variant(Integer, "sqlite")


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
