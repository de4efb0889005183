from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from yteso.core.db import Base, UtcDateTime, utcnow


class CommuneCrosswalk(Base):
    """A pre-07/2025 commune and the post-reform commune it became part of.

    Claim files and identity papers issued before the reform still carry old commune codes;
    the crosswalk turns them into current ones.
    """

    __tablename__ = "commune_crosswalk"

    old_code: Mapped[str] = mapped_column(String(5), primary_key=True)
    old_name: Mapped[str] = mapped_column(String(120))
    old_district_name: Mapped[str | None] = mapped_column(String(120))
    old_province_code: Mapped[int | None]
    new_code: Mapped[str] = mapped_column(String(5), index=True)
    source: Mapped[str | None] = mapped_column(String(255))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
