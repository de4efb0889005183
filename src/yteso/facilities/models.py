from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from yteso.core.db import Base, UtcDateTime, utcnow


class Facility(Base):
    """A health facility (cơ sở khám bệnh, chữa bệnh) identified by its MA_CSKCB."""

    __tablename__ = "facilities"
    __table_args__ = (
        Index("ix_facilities_kind_active", "kind", "active"),
        Index("ix_facilities_commune_code", "commune_code"),
    )

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    # Name without diacritics, lower case: what search compares against.
    name_key: Mapped[str] = mapped_column(String(255), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(32))
    technical_level: Mapped[str] = mapped_column(String(16))
    commune_code: Mapped[str] = mapped_column(String(5))
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(20))
    emr_status: Mapped[str] = mapped_column(String(16), default="not_started")
    iso15189_lab: Mapped[bool] = mapped_column(Boolean, default=False)
    telemedicine_hub: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    departments: Mapped[list[FacilityDepartment]] = relationship(
        back_populates="facility",
        cascade="all, delete-orphan",
        order_by="FacilityDepartment.code",
        lazy="selectin",
    )


class FacilityDepartment(Base):
    """A department (khoa) of a facility, by its MA_KHOA as used in claim data."""

    __tablename__ = "facility_departments"
    __table_args__ = (UniqueConstraint("facility_code", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facility_code: Mapped[str] = mapped_column(ForeignKey("facilities.code", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(255))

    facility: Mapped[Facility] = relationship(back_populates="departments")
