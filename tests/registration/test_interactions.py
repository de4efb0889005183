"""Kiosk interactions (the token between the kiosk's steps) expire and are cleaned up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.db import utcnow
from yteso.registration import repository
from yteso.registration.models import KioskInteraction


def _interaction(token_hash: str, minutes_left: int) -> KioskInteraction:
    return KioskInteraction(
        token_hash=token_hash, facility_code="19001", client_id="kiosk-1",
        expires_at=utcnow() + timedelta(minutes=minutes_left), snapshot={},
    )  # fmt: skip


def _hashes(session: Session) -> set[str]:
    return set(session.scalars(select(KioskInteraction.token_hash)))


def test_expired_interactions_are_deleted_and_live_ones_kept(db: Session) -> None:
    db.add_all([_interaction("old", -1), _interaction("live", 5)])
    db.commit()
    repository.delete_expired_interactions(db, utcnow())
    db.commit()
    assert _hashes(db) == {"live"}


def test_cleanup_does_not_wait_for_rows_another_kiosk_is_deleting(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite has one writer at a time, there is nothing to skip")
    with session_factory() as arrange:
        arrange.add_all([_interaction("old-a", -1), _interaction("old-b", -2)])
        arrange.commit()
    with session_factory() as first, session_factory() as second:
        first.execute(select(KioskInteraction).where(KioskInteraction.token_hash == "old-a")
                      .with_for_update())  # fmt: skip
        second.execute(text("SET LOCAL lock_timeout = '2s'"))
        repository.delete_expired_interactions(second, utcnow())  # would time out waiting
        second.commit()
        first.rollback()
        assert _hashes(first) == {"old-a"}
