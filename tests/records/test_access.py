from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_facility, staff_client
from tests.records import fixtures as fx
from tests.records.test_crud import create
from yteso.core.audit import recent


def test_anonymous_callers_get_an_operation_outcome(client: TestClient) -> None:
    response = client.get("/fhir/Patient")
    assert response.status_code == 401
    assert response.json()["resourceType"] == "OperationOutcome"


def test_facility_writes_only_its_own_data(
    client: TestClient, db: Session, his: dict[str, str], other_his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    patient["active"] = False
    refused = client.put(f"/fhir/Patient/{patient['id']}", json=patient, headers=other_his)
    assert refused.status_code == 403
    tagged = fx.patient("019090009999", bhyt=None)
    tagged["meta"] = {
        "tag": [{"system": "http://fhir.ehealth.gov.vn/core/facility", "code": "19001"}]
    }
    assert client.post("/fhir/Patient", json=tagged, headers=other_his).status_code == 403
    assert client.delete(f"/fhir/Patient/{patient['id']}", headers=other_his).status_code == 403
    denied = [e for e in recent(db, "Patient") if e.outcome == "denied"]
    assert len(denied) == 3


def test_compartment_reads_need_a_clinical_role(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    org = create(client, his, fx.organization())
    add_facility(db, "19003", name="Trạm Y tế Thử")
    analyst = staff_client(client, db, "doh_analyst")
    assert analyst.get(f"/fhir/Patient/{patient['id']}").status_code == 403
    assert analyst.get(f"/fhir/Organization/{org['id']}").status_code == 200
    assert analyst.post("/fhir/Organization", json=fx.organization("19003")).status_code == 403


def test_reads_and_searches_are_audited(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    obs = create(client, his, fx.observation(patient["id"]))
    client.get(f"/fhir/Patient/{patient['id']}", headers=his)
    client.get("/fhir/Observation", params={"patient": patient["id"]}, headers=his)
    events = recent(db, "Patient", patient["id"])
    assert {e.action for e in events} >= {"create", "read", "search"}
    search_event = next(e for e in events if e.action == "search")
    assert f"Observation/{obs['id']}" in (search_event.detail or "")
    assert all(e.actor_kind == "client" for e in events)


def test_transaction_writes_are_audited_per_patient(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    entries = [
        {
            "resource": fx.observation(patient["id"], value=60 + i),
            "request": {"method": "POST", "url": "Observation"},
        }
        for i in range(30)
    ]
    response = client.post(
        "/fhir",
        json={"resourceType": "Bundle", "type": "transaction", "entry": entries},
        headers=his,
    )
    assert response.status_code == 200, response.text
    events = [e for e in recent(db, "Patient", patient["id"]) if e.action == "create" and e.detail]
    named = ", ".join(e.detail or "" for e in events).split(", ")
    assert len(named) == 30
    assert all(len(e.detail or "") <= 500 for e in events)


def test_refusal_after_writes_in_the_same_transaction_is_audited(
    client: TestClient, db: Session, his: dict[str, str], other_his: dict[str, str]
) -> None:
    """The refusal's own transaction must not wait for the request's (SQLite: one writer)."""
    theirs = create(client, his, fx.patient())
    theirs["active"] = False
    mine = {**fx.patient("019090005555", bhyt=None), "id": "cua-toi"}
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"resource": mine, "request": {"method": "PUT", "url": "Patient/cua-toi"}},
            {
                "resource": fx.patient("019090006666", bhyt=None),
                "request": {"method": "POST", "url": "Patient"},
            },
            {
                "resource": theirs,
                "request": {"method": "PUT", "url": f"Patient/{theirs['id']}", "ifMatch": 'W/"1"'},
            },
        ],
    }
    refused = client.post("/fhir", json=bundle, headers=other_his)
    assert refused.status_code == 403, refused.text
    assert client.get("/fhir/Patient/cua-toi", headers=his).status_code == 404
    denied = [e for e in recent(db, "Patient") if e.outcome == "denied"]
    assert [e.resource_id for e in denied] == [theirs["id"]]
