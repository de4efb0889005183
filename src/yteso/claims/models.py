"""Claim intake tables: raw documents as received, and episodes with their version history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from yteso.core.db import Base, UtcDateTime

_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class ClaimDocument(Base):
    """A submitted file, byte for byte (the signature is verified against these bytes)."""

    __tablename__ = "claim_documents"
    __table_args__ = (Index("ix_claim_documents_facility_sha256", "facility_code", "sha256"),)

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    transaction_id: Mapped[str] = mapped_column(String(40), unique=True)  # maGiaoDich
    facility_code: Mapped[str] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    episode_count: Mapped[int] = mapped_column(Integer)
    submitted_by: Mapped[str] = mapped_column(String(100))  # principal id
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # [MA_LK, content SHA-256] of each episode: the same bytes sent again are a no-op while
    # each is still current. None for files received before migration 0010.
    episode_digests: Mapped[list[list[str]] | None] = mapped_column(JSON, nullable=True)


class ClaimEpisode(Base):
    """One version of an episode (MA_LK of a facility); a resend adds a version."""

    __tablename__ = "claim_episodes"
    __table_args__ = (
        UniqueConstraint("facility_code", "ma_lk", "version"),
        Index("ix_claim_episodes_current", "facility_code", "ma_lk", "is_current"),
        Index("ix_claim_episodes_timeliness", "is_current", "facility_code", "end_day"),
    )

    id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True, autoincrement=True)
    facility_code: Mapped[str] = mapped_column(String(5))
    ma_lk: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    is_current: Mapped[bool] = mapped_column(Boolean)
    document_id: Mapped[int] = mapped_column(ForeignKey("claim_documents.id"))
    hoso_index: Mapped[int] = mapped_column(Integer)  # position of the HOSO in the document
    content_sha256: Mapped[str] = mapped_column(String(64))  # of the episode's tables
    ma_loai_kcb: Mapped[str | None] = mapped_column(String(2))
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # NGAY_RA
    end_day: Mapped[str | None] = mapped_column(String(8))  # NGAY_RA's local day, yyyymmdd
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The first reception of the MA_LK: timeliness counts from it, a resend does not reset it.
    first_received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    delay_seconds: Mapped[int | None] = mapped_column(Integer)  # first reception − NGAY_RA
