"""Read by id through the audit thread: each answered read has its committed event, a read
whose event cannot be committed fails, refusals are audited, the headers stay."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, Table, insert, select
from sqlalchemy.orm import Session

from tests.helpers import run_async, staff_client
from tests.records import fixtures as fx
from tests.records.test_crud import create
from yteso.core.audit import group_commit, recent
from yteso.core.audit.models import AuditEvent


def _reads(app: FastAPI, headers: dict[str, str], paths: list[str]) -> list[httpx.Response]:
    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            return await asyncio.gather(*(http.get(path, headers=headers) for path in paths))

    return run_async(run())


def _read_events(db: Session) -> Counter[tuple[str, str | None, str]]:
    rows = db.execute(
        select(AuditEvent.resource_type, AuditEvent.resource_id, AuditEvent.outcome).where(
            AuditEvent.action == "read"
        )
    )
    return Counter((t, i, o) for t, i, o in rows)


def test_every_concurrent_read_has_its_event(
    app: FastAPI, client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patients = [create(client, his, fx.patient(f"01909000{i:04}")) for i in range(4)]
    paths = [f"/fhir/Patient/{patients[i % 4]['id']}" for i in range(60)]
    paths += ["/fhir/Patient/khong-co"] * 5
    responses = _reads(app, his, paths)
    assert [r.status_code for r in responses] == [200] * 60 + [404] * 5
    assert [r.json()["id"] for r in responses[:60]] == [p.rsplit("/", 1)[1] for p in paths[:60]]
    expected = Counter(("Patient", p["id"], "success") for p in patients for _ in range(15))
    assert _read_events(db) == expected


def test_a_read_whose_event_is_not_committed_fails(
    client: TestClient, db: Session, his: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    patient = create(client, his, fx.patient())
    audit = cast(Table, AuditEvent.__table__)
    missing = Table("audit_events_missing", MetaData(), *(Column(c.name, c.type) for c in audit.c))
    monkeypatch.setattr(group_commit, "_INSERT", insert(missing))  # the database refuses it
    response = client.get(f"/fhir/Patient/{patient['id']}", headers=his)
    assert response.status_code == 500
    outcome: dict[str, Any] = response.json()
    assert outcome["resourceType"] == "OperationOutcome"
    assert patient["id"] not in response.text
    assert client.get("/fhir/Patient/khong-co", headers=his).status_code == 404
    monkeypatch.undo()
    assert _read_events(db) == Counter()
    assert client.get(f"/fhir/Patient/{patient['id']}", headers=his).status_code == 200
    assert _read_events(db) == Counter({("Patient", patient["id"], "success"): 1})


def test_a_refused_read_is_audited_and_a_deleted_one_is_gone(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    assert client.delete(f"/fhir/Patient/{patient['id']}", headers=his).status_code == 204
    gone = client.get(f"/fhir/Patient/{patient['id']}", headers=his)
    assert gone.status_code == 410 and gone.json()["resourceType"] == "OperationOutcome"
    analyst = staff_client(client, db, "doh_analyst")  # signed in with a cookie
    refused = analyst.get(f"/fhir/Patient/{patient['id']}")
    assert refused.status_code == 403 and refused.json()["resourceType"] == "OperationOutcome"
    assert _read_events(db) == Counter({("Patient", patient["id"], "denied"): 1})
    denied = next(e for e in recent(db, "Patient", patient["id"]) if e.outcome == "denied")
    assert denied.actor_kind == "staff" and "doh_analyst" in (denied.detail or "")


def test_a_read_answers_with_its_version_headers(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    response = client.get(f"/fhir/Patient/{patient['id']}", headers=his)
    assert response.headers["etag"] == 'W/"1"'
    assert response.headers["last-modified"].endswith(" GMT")
    assert response.headers["content-type"].startswith("application/fhir+json")
    assert client.get(f"/fhir/Patient/{patient['id']}").status_code == 401
    assert client.get("/fhir/Khong/1", headers=his).status_code == 404
