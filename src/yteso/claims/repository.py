"""All queries of the claims module."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Integer, case, func, select, text
from sqlalchemy.orm import Session

from yteso.claims.models import ClaimDocument, ClaimEpisode

# The claims batch intake's key among PostgreSQL advisory locks ("YTCL").
_BATCH_TURN = 0x5954434C


def take_batch_turn(session: Session) -> None:
    """From here to its commit a batch file writes alone among batch files, as SQLite
    writers always do. Two batch files of one facility share many new persons: each would
    wait for the other's identifiers, and fail once it commits (or deadlock), however often
    it is sent again. Everything before (parsing, validation, mapping, the store's rows)
    still runs side by side; so does a group of small files written as one batch
    (group_intake). A small file sent alone does not take the turn: on PostgreSQL such
    files write side by side (twice the throughput of taking turns with two workers), and
    the rare one that brings a person another intake added meanwhile is run once more by
    its caller."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _BATCH_TURN})


def known_transaction(session: Session, facility_code: str, sha256: str) -> str | None:
    """maGiaoDich of the file already received with these bytes (not its content: a batch
    file can weigh hundreds of MB), as long as each of its episodes is still the current
    version: sent again after a correction, it is compared and stored anew."""
    query = select(ClaimDocument.transaction_id, ClaimDocument.episode_digests)
    query = query.where(ClaimDocument.facility_code == facility_code)
    known = session.execute(
        query.where(ClaimDocument.sha256 == sha256).order_by(ClaimDocument.id.desc()).limit(1)
    ).first()
    if known is None or known.episode_digests is None:
        return None
    digests = {ma_lk: digest for ma_lk, digest in known.episode_digests}
    current = current_episodes(session, facility_code, list(digests))
    still = all(k in current and current[k].content_sha256 == d for k, d in digests.items())
    return known.transaction_id if still else None


def current_episodes(
    session: Session, facility_code: str, ma_lks: Collection[str]
) -> dict[str, ClaimEpisode]:
    found: dict[str, ClaimEpisode] = {}
    keys = list(ma_lks)
    for start in range(0, len(keys), 500):  # bounded IN lists
        query = select(ClaimEpisode).where(
            ClaimEpisode.facility_code == facility_code,
            ClaimEpisode.is_current.is_(True),
            ClaimEpisode.ma_lk.in_(keys[start : start + 500]),
        )
        found.update((e.ma_lk, e) for e in session.scalars(query))
    return found


def episode_versions(session: Session, facility_code: str, ma_lk: str) -> list[ClaimEpisode]:
    query = (
        select(ClaimEpisode)
        .where(ClaimEpisode.facility_code == facility_code, ClaimEpisode.ma_lk == ma_lk)
        .order_by(ClaimEpisode.version)
    )
    return list(session.scalars(query))


def get_document(session: Session, document_id: int) -> ClaimDocument | None:
    return session.get(ClaimDocument, document_id)


def timeliness_counts(
    session: Session, facility_code: str | None, period_length: int, limit_seconds: int
) -> list[Any]:
    """(facility, period, episodes, on time) over current episodes; period = the first
    `period_length` characters of the local end day (8 → day, 6 → month)."""
    period = func.substr(ClaimEpisode.end_day, 1, period_length).label("period")
    on_time = func.sum(
        case((ClaimEpisode.delay_seconds <= limit_seconds, 1), else_=0).cast(Integer)
    )
    query = (
        select(ClaimEpisode.facility_code, period, func.count(), on_time)
        .where(ClaimEpisode.is_current.is_(True), ClaimEpisode.delay_seconds.is_not(None))
        .group_by(ClaimEpisode.facility_code, period)
        .order_by(ClaimEpisode.facility_code, period)
    )
    if facility_code is not None:
        query = query.where(ClaimEpisode.facility_code == facility_code)
    return list(session.execute(query))
