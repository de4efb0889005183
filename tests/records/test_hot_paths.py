"""What the fast read path keeps: audit events commit (or roll back) with their transaction,
and a cached bearer token never outlives the token or TOKEN_CACHE_SECONDS."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.records import fixtures as fx
from tests.records.test_crud import create
from yteso.core.audit import recent, record
from yteso.core.audit.models import AuditEvent
from yteso.core.auth import service as auth
from yteso.core.auth.models import AccessToken
from yteso.core.db import utcnow


def _count(session: Session, resource_id: str) -> int:
    query = select(func.count()).select_from(AuditEvent)
    return int(session.scalar(query.where(AuditEvent.resource_id == resource_id)) or 0)


def test_audit_events_go_with_their_transaction(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory() as session:
        record(session, None, "read", "Patient", "before")
        assert _count(session, "before") == 1  # queries see the transaction's events
        with pytest.raises(RuntimeError), session.begin_nested():
            record(session, None, "read", "Patient", "inside")
            raise RuntimeError("entry failed")
        record(session, None, "read", "Patient", "after")
        session.commit()
    with session_factory() as session:
        record(session, None, "read", "Patient", "rolled-back")
        session.rollback()
        record(session, None, "read", "Patient", "own")
        session.commit()
    with session_factory() as session:
        counts = {
            name: _count(session, name)
            for name in ("before", "inside", "after", "rolled-back", "own")
        }
    assert counts == {"before": 1, "inside": 0, "after": 1, "rolled-back": 0, "own": 1}


def test_a_read_commits_its_event_and_a_failed_read_writes_none(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    assert client.get(f"/fhir/Patient/{patient['id']}", headers=his).status_code == 200
    assert client.get("/fhir/Patient/khong-co", headers=his).status_code == 404
    assert [e.action for e in recent(db, "Patient", patient["id"])].count("read") == 1
    assert recent(db, "Patient", "khong-co") == []


def test_cached_tokens_expire_with_the_token_or_the_cache(
    client: TestClient, db: Session, his: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = his["Authorization"].removeprefix("Bearer ")
    assert client.get("/fhir/Patient", headers=his).status_code == 200
    assert auth.cached_principal(token) is not None
    # Revoked in the database: refused once the cache entry is older than its time.
    db.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert auth.cached_principal(token) is not None
    now = auth.time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + auth.TOKEN_CACHE_SECONDS + 1)
    assert auth.cached_principal(token) is None
    assert client.get("/fhir/Patient", headers=his).status_code == 401


def test_a_token_about_to_expire_is_cached_only_until_it_expires(
    db: Session, his: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    token = his["Authorization"].removeprefix("Bearer ")
    db.execute(update(AccessToken).values(expires_at=utcnow() + timedelta(seconds=2)))
    db.commit()
    auth._token_cache.clear()
    assert auth.principal_from_token(db, token) is not None
    now = auth.time.monotonic()
    monkeypatch.setattr(auth.time, "monotonic", lambda: now + 3)
    assert auth.cached_principal(token) is None
