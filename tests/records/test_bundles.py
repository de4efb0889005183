from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.records import fixtures as fx
from tests.records.test_search import ids, search


def transaction(*entries: dict[str, Any], kind: str = "transaction") -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries)}


def post(resource: dict[str, Any], full_url: str | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"]},
    }
    if full_url:
        entry["fullUrl"] = full_url
    return entry


PATIENT_URN = "urn:uuid:5c4e7a3e-8a57-4d5b-9a63-3f1d2b7e9c10"
ENCOUNTER_URN = "urn:uuid:0d1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def test_transaction_resolves_urn_uuid_references(client: TestClient, his: dict[str, str]) -> None:
    encounter = fx.encounter("x")
    encounter["subject"] = {"reference": PATIENT_URN}
    observation = fx.observation("x")
    observation["subject"] = {"reference": PATIENT_URN}
    observation["encounter"] = {"reference": ENCOUNTER_URN}
    bundle = transaction(
        post(observation), post(fx.patient(), PATIENT_URN), post(encounter, ENCOUNTER_URN)
    )
    response = client.post("/fhir", json=bundle, headers=his)
    assert response.status_code == 200, response.text
    locations = [e["response"]["location"] for e in response.json()["entry"]]
    assert [loc.split("/")[0] for loc in locations] == ["Observation", "Patient", "Encounter"]
    patient_id = locations[1].split("/")[1]
    found = search(
        client, his, "Observation", patient=patient_id, encounter=locations[2].split("/")[1]
    )
    assert len(ids(found)) == 1


def test_failed_transaction_writes_nothing(client: TestClient, his: dict[str, str]) -> None:
    dangling = fx.observation("x")
    dangling["subject"] = {"reference": "urn:uuid:11111111-2222-4333-8444-555555555555"}
    response = client.post(
        "/fhir", json=transaction(post(fx.patient()), post(dangling)), headers=his
    )
    assert response.status_code == 400
    assert response.json()["resourceType"] == "OperationOutcome"
    missing = client.post(
        "/fhir", json=transaction(post(fx.patient()), post(fx.observation("nobody"))), headers=his
    )
    assert missing.status_code == 400
    bad_code = client.post(
        "/fhir",
        json=transaction(
            post(fx.patient(), PATIENT_URN),
            post(
                {
                    **fx.condition("x"),
                    "subject": {"reference": PATIENT_URN},
                    "code": {"coding": [{"system": fx.ICD10, "code": "ZZZ"}]},
                }
            ),
        ),
        headers=his,
    )
    assert bad_code.status_code == 422
    assert "Bundle.entry[1]" in bad_code.json()["issue"][0]["expression"][0]
    assert search(client, his, "Patient", _summary="count")["total"] == 0


def test_batch_reports_each_entry(client: TestClient, his: dict[str, str]) -> None:
    bundle = transaction(
        post(fx.patient()),
        post({"resourceType": "Patient", "colour": "red"}),
        {"request": {"method": "GET", "url": "Patient?name=nguyen"}},
        kind="batch",
    )
    response = client.post("/fhir", json=bundle, headers=his)
    assert response.status_code == 200, response.text
    statuses = [e["response"]["status"] for e in response.json()["entry"]]
    assert statuses == ["201 Created", "400", "200 OK"]
    assert response.json()["entry"][2]["resource"]["total"] == 1


def test_oversized_bundle_is_refused(
    client: TestClient, his: dict[str, str], monkeypatch: Any
) -> None:
    monkeypatch.setenv("YTESO_FHIR_MAX_BUNDLE_ENTRIES", "2")
    response = client.post(
        "/fhir",
        json=transaction(*(post(fx.patient(f"01909000000{i}")) for i in range(3))),
        headers=his,
    )
    assert response.status_code == 413
    assert response.json()["issue"][0]["code"] == "too-costly"


def put(resource: dict[str, Any], if_match: str | None = None) -> dict[str, Any]:
    request = {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"}
    if if_match:
        request["ifMatch"] = if_match
    return {"resource": resource, "request": request}


def test_transaction_puts_create_and_update_together(
    client: TestClient, his: dict[str, str]
) -> None:
    patient = {**fx.patient(), "id": "bn-1"}
    first = [{**fx.observation("bn-1", value=v), "id": f"obs-{v}"} for v in (60, 61)]
    response = client.post("/fhir", json=transaction(put(patient), *map(put, first)), headers=his)
    assert [e["response"]["status"] for e in response.json()["entry"]] == ["201 Created"] * 3
    changed = {**fx.observation("bn-1", code="8310-5", value=37), "id": "obs-60"}
    added = {**fx.observation("bn-1", value=62), "id": "obs-62"}
    response = client.post("/fhir", json=transaction(put(changed), put(added)), headers=his)
    assert response.status_code == 200, response.text
    statuses = [e["response"]["status"] for e in response.json()["entry"]]
    assert statuses == ["200 OK", "201 Created"]
    assert response.json()["entry"][0]["response"]["etag"] == 'W/"2"'
    # The index follows the new version: the old code no longer finds obs-60.
    assert ids(search(client, his, "Observation", patient="bn-1", code="8310-5")) == ["obs-60"]
    assert sorted(ids(search(client, his, "Observation", patient="bn-1", code="8867-4"))) == [
        "obs-61",
        "obs-62",
    ]
    history = client.get("/fhir/Observation/obs-60/_history", headers=his).json()
    assert history["total"] == 2


def test_transaction_put_version_conflict_writes_nothing(
    client: TestClient, his: dict[str, str]
) -> None:
    patient = {**fx.patient(), "id": "bn-2"}
    client.post("/fhir", json=transaction(put(patient)), headers=his)
    stale = put({**patient, "active": False}, if_match='W/"7"')
    fresh = put({**fx.observation("bn-2"), "id": "obs-new"})
    response = client.post("/fhir", json=transaction(fresh, stale), headers=his)
    assert response.status_code == 412
    assert client.get("/fhir/Observation/obs-new", headers=his).status_code == 404
