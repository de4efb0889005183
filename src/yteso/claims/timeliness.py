"""Timeliness of claim data (Thông tư 48/2017/TT-BYT): time from the end of an episode
(NGAY_RA, local time) to its first reception, against a configurable threshold.

The threshold is `Settings.claim_ontime_hours` (YTESO_CLAIM_ONTIME_HOURS, default 24,
STANDARDS.md §1; a draft rule proposes 3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Literal

from sqlalchemy.orm import Session

from yteso.claims import repository
from yteso.claims.formats import parse_timestamp

VIETNAM = timezone(timedelta(hours=7), "ICT")  # claim timestamps are local, no DST
Period = Literal["day", "month"]


def local_moment(value: str) -> datetime | None:
    """A QĐ 130 yyyymmddHHMM (Vietnam time) as an aware UTC datetime."""
    moment = parse_timestamp(value)
    return moment.replace(tzinfo=VIETNAM).astimezone(UTC) if moment else None


def delay_seconds(ended_at: datetime | None, received_at: datetime) -> int | None:
    return None if ended_at is None else int((received_at - ended_at).total_seconds())


@dataclass(frozen=True, slots=True)
class TimelinessRate:
    facility_code: str
    period: str  # yyyymmdd or yyyymm, local
    episodes: int
    on_time: int

    @property
    def rate(self) -> float:
        return self.on_time / self.episodes if self.episodes else 0.0


def rates(
    session: Session, facility_code: str | None, period: Period, ontime_hours: float
) -> list[TimelinessRate]:
    limit = int(ontime_hours * 3600)
    rows = repository.timeliness_counts(session, facility_code, 8 if period == "day" else 6, limit)
    return [
        TimelinessRate(code, key, int(count), int(good or 0)) for code, key, count, good in rows
    ]
