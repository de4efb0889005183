from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.helpers import add_facility, bearer, staff_client
from yteso.core.audit.models import AuditEvent
from yteso.patients.models import SourceRecord

_HA: dict[str, Any] = {
    "facility_code": "19001",
    "local_id": "BN001",
    "origin": "kiosk",
    "full_name": "Nguyễn Thị Thu Hà",
    "birth_date": "1990-05-17",
    "sex": 2,
    "identifiers": [{"kind": "national_id", "value": "019190001234"}],
    "commune_code": "05443",
}


def _audited(db: Session, action: str) -> int:
    query = (
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.outcome == "success")
    )
    return db.scalar(query) or 0


def test_kiosk_matches_records_of_its_own_facility_only(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    add_facility(db, "19002")
    headers = bearer(client, db, "kiosk", "19001")
    first = client.post("/api/patients/$match", json=_HA, headers=headers)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "new"
    messy = {**_HA, "local_id": "BN002", "full_name": "Nguyen Thi Thu Ha", "identifiers": []}
    second = client.post("/api/patients/$match", json=messy, headers=headers).json()
    assert second["outcome"] == "link" and second["person_id"] == first.json()["person_id"]
    assert second["explanation"] and second["score"] > 0
    other = client.post("/api/patients/$match", json={**_HA, "facility_code": "19002"},
                        headers=headers)  # fmt: skip
    assert other.status_code == 403
    assert _audited(db, "match") == 2


def test_analysts_do_not_match_and_bad_input_is_refused(client: TestClient, db: Session) -> None:
    staff_client(client, db, "doh_analyst")
    assert client.post("/api/patients/$match", json=_HA).status_code == 403
    client.cookies.clear()
    add_facility(db, "19001")
    headers = bearer(client, db, "his", "19001")
    response = client.post("/api/patients/$match", json={**_HA, "sex": 7}, headers=headers)
    assert response.status_code == 422


def _thin_record(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    client.post("/api/patients/$match", json=_HA, headers=headers)
    close = {**_HA, "local_id": "BN7", "identifiers": [], "birth_date": "1990",
             "full_name": "Nguyễn Hà"}  # fmt: skip
    decision: dict[str, Any] = client.post(
        "/api/patients/$match", json=close, headers=headers
    ).json()
    return decision


def test_review_queue_shows_pairs_side_by_side_and_accept_merges(
    client: TestClient, db: Session
) -> None:
    add_facility(db, "19001")
    add_facility(db, "19002")
    decision = _thin_record(client, bearer(client, db, "kiosk", "19001"))
    assert decision["outcome"] == "review", decision
    staff_client(client, db, "facility_admin", "19002")
    assert client.get("/api/patients/review").json() == []
    client.cookies.clear()
    staff_client(client, db, "facility_admin", "19001")
    items = client.get("/api/patients/review").json()
    assert len(items) == 1
    item = items[0]
    assert item["record"]["local_id"] == "BN7" and item["candidate"]["full_name"]
    assert item["explanation"]
    accepted = client.post(f"/api/patients/review/{item['id']}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = client.post(f"/api/patients/review/{item['id']}/reject")
    assert again.status_code == 409
    db.expire_all()
    persons = {r.person_id for r in db.scalars(select(SourceRecord))}
    assert persons == {decision["candidate_person_id"]}


def test_merge_and_unmerge_never_lose_a_source_record(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    headers = bearer(client, db, "his", "19001")
    a = client.post("/api/patients/$match", json=_HA, headers=headers).json()
    other = {**_HA, "local_id": "Z", "full_name": "Lò Văn Pó", "birth_date": "1950", "sex": 1,
             "identifiers": []}  # fmt: skip
    b = client.post("/api/patients/$match", json=other, headers=headers).json()
    assert a["person_id"] != b["person_id"]
    staff_client(client, db, "doh_analyst")
    merged = client.post("/api/patients/merges",
                         json={"survivor_id": a["person_id"], "merged_id": b["person_id"]})  # fmt: skip
    assert merged.status_code == 200, merged.text
    db.expire_all()
    assert {r.person_id for r in db.scalars(select(SourceRecord))} == {a["person_id"]}
    undone = client.post(f"/api/patients/merges/{merged.json()['id']}/undo")
    assert undone.status_code == 200 and undone.json()["undone"]
    db.expire_all()
    owners = {r.local_id: r.person_id for r in db.scalars(select(SourceRecord))}
    assert owners == {"BN001": a["person_id"], "Z": b["person_id"]}
    assert client.post(f"/api/patients/merges/{merged.json()['id']}/undo").status_code == 409


def test_review_page_shows_the_pair_and_rejecting_keeps_two_people(
    client: TestClient, db: Session
) -> None:
    add_facility(db, "19001")
    decision = _thin_record(client, bearer(client, db, "kiosk", "19001"))
    staff_client(client, db, "doh_analyst")
    page = client.get("/patients/review")
    assert page.status_code == 200
    assert "Nguyễn Hà" in page.text and "Nguyễn Thị Thu Hà" in page.text
    assert 'data-testid="review-explanation"' in page.text
    item_id = client.get("/api/patients/review").json()[0]["id"]
    done = client.post(f"/patients/review/{item_id}/reject", follow_redirects=False)
    assert done.status_code == 303
    assert 'data-testid="review-empty"' in client.get("/patients/review").text
    db.expire_all()
    persons = {r.person_id for r in db.scalars(select(SourceRecord))}
    assert decision["person_id"] in persons and len(persons) == 2


def test_review_page_is_for_reviewers_only(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    staff_client(client, db, "receptionist", "19001")
    assert client.get("/patients/review").status_code == 403


def test_link_history_keeps_every_move(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    headers = bearer(client, db, "his", "19001")
    a = client.post("/api/patients/$match", json=_HA, headers=headers).json()
    other = {**_HA, "local_id": "Z", "full_name": "Lò Văn Pó", "birth_date": "1950", "sex": 1,
             "identifiers": []}  # fmt: skip
    b = client.post("/api/patients/$match", json=other, headers=headers).json()
    staff_client(client, db, "doh_analyst")
    merge = {"survivor_id": a["person_id"], "merged_id": b["person_id"]}
    assert client.post("/api/patients/merges", json=merge).status_code == 200
    assert client.get(f"/api/patients/persons/{a['person_id']}/links").status_code == 403
    client.cookies.clear()
    links = client.get(f"/api/patients/persons/{a['person_id']}/links", headers=headers).json()
    assert {r["local_id"] for r in links["source_records"]} == {"BN001", "Z"}
    assert [e["action"] for e in links["history"]] == ["created", "created", "merged"]
    assert links["merges"][0]["merged_id"] == b["person_id"]
