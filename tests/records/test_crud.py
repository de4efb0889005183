from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.records import fixtures as fx

FHIR = {"Content-Type": "application/fhir+json"}


def create(client: TestClient, headers: dict[str, str], resource: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"/fhir/{resource['resourceType']}", json=resource, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def test_metadata_lists_every_type_and_its_search_parameters(client: TestClient) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    statement = response.json()
    assert statement["fhirVersion"] == "4.0.1"
    types = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Patient", "Observation", "Provenance", "AuditEvent", "Claim"} <= set(types)
    names = {p["name"] for p in types["Observation"]["searchParam"]}
    assert {"patient", "code", "date", "status", "category", "encounter"} <= names


def test_round_trip_of_varied_resources(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    for resource in [
        fx.observation(patient["id"]),
        fx.condition(patient["id"]),
        *fx.varied(patient["id"]),
    ]:
        created = create(client, his, resource)
        read = client.get(f"/fhir/{resource['resourceType']}/{created['id']}", headers=his).json()
        for key, value in resource.items():
            assert read[key] == value, key
        assert read["meta"]["versionId"] == "1"
        assert {"system": "http://fhir.ehealth.gov.vn/core/facility", "code": "19001"} in read[
            "meta"
        ]["tag"]


def test_update_versions_history_and_if_match(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    url = f"/fhir/Patient/{patient['id']}"
    patient["active"] = False
    response = client.put(url, json=patient, headers={**his, "If-Match": 'W/"1"'})
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == 'W/"2"'
    stale = client.put(url, json=patient, headers={**his, "If-Match": 'W/"1"'})
    assert stale.status_code == 412
    assert stale.json()["resourceType"] == "OperationOutcome"
    assert client.get(f"{url}/_history/1", headers=his).json()["active"] is True
    assert client.get(f"{url}/_history/2", headers=his).json()["active"] is False
    history = client.get(f"{url}/_history", headers=his).json()
    assert [e["response"]["etag"] for e in history["entry"]] == ['W/"2"', 'W/"1"']
    assert client.get("/fhir/Patient/_history", headers=his).json()["total"] == 2


def test_delete_keeps_history_and_answers_gone(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    url = f"/fhir/Patient/{patient['id']}"
    assert client.delete(url, headers=his).status_code == 204
    assert client.get(url, headers=his).status_code == 410
    assert client.get(f"{url}/_history/1", headers=his).status_code == 200
    methods = [
        e["request"]["method"] for e in client.get(f"{url}/_history", headers=his).json()["entry"]
    ]
    assert methods == ["DELETE", "POST"]
    assert (
        client.get("/fhir/Patient", params={"_id": patient["id"]}, headers=his).json()["total"] == 0
    )


def test_conditional_create_and_update_by_identifier(
    client: TestClient, his: dict[str, str]
) -> None:
    condition = {"If-None-Exist": f"identifier={fx.SID}national_id|019090001234"}
    first = client.post("/fhir/Patient", json=fx.patient(), headers={**his, **condition})
    again = client.post("/fhir/Patient", json=fx.patient(), headers={**his, **condition})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    changed = fx.patient(given=("Văn", "Anh"))
    response = client.put(
        f"/fhir/Patient?identifier={fx.SID}national_id|019090001234", json=changed, headers=his
    )
    assert response.status_code == 200, response.text
    assert response.json()["id"] == first.json()["id"]
    assert response.json()["meta"]["versionId"] == "2"


def test_conditional_update_creates_when_nothing_matches(
    client: TestClient, his: dict[str, str]
) -> None:
    query = f"identifier={fx.SID}national_id|019090009999"
    patient = fx.patient(cccd="019090009999")
    created = client.put(f"/fhir/Patient?{query}", json=patient, headers=his)
    assert created.status_code == 201, created.text
    found = client.get(f"/fhir/Patient?{query}", headers=his).json()
    assert [e["resource"]["id"] for e in found["entry"]] == [created.json()["id"]]


def test_bad_input_gets_one_issue_per_problem(client: TestClient, his: dict[str, str]) -> None:
    broken = client.post("/fhir/Patient", content=b"{not json", headers=his)
    assert broken.status_code == 400
    assert broken.json()["issue"][0]["code"] == "structure"
    resource = fx.patient()
    resource["favouriteColour"] = "blue"
    resource["name"] = {"family": "X"}
    resource["managingOrganization"] = {"reference": "not a reference"}
    response = client.post("/fhir/Patient", json=resource, headers=his)
    assert response.status_code == 400
    expressions = [i["expression"][0] for i in response.json()["issue"]]
    assert sorted(expressions) == [
        "Patient.favouriteColour",
        "Patient.managingOrganization.reference",
        "Patient.name",
    ]
    assert (
        client.post("/fhir/Spaceship", json={"resourceType": "Spaceship"}, headers=his).status_code
        == 404
    )


def test_codes_and_identifier_formats_are_checked(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    assert (
        client.post(
            "/fhir/Condition", json=fx.condition(patient["id"], "J18.9"), headers=his
        ).status_code
        == 201
    )
    unknown = client.post("/fhir/Condition", json=fx.condition(patient["id"], "A91"), headers=his)
    assert unknown.status_code == 422
    assert unknown.json()["issue"][0]["expression"] == ["Condition.code.coding[0].code"]
    bad = client.post("/fhir/Patient", json=fx.patient(cccd="12345", bhyt="XX1"), headers=his)
    assert bad.status_code == 422
    assert len(bad.json()["issue"]) == 2


def test_history_since_and_bad_parameters(client: TestClient, his: dict[str, str]) -> None:
    create(client, his, fx.patient())
    assert (
        client.get("/fhir/Patient/_history", params={"_since": "2020-01-01"}, headers=his).json()[
            "total"
        ]
        == 1
    )
    assert (
        client.get("/fhir/Patient/_history", params={"_since": "2999-01-01"}, headers=his).json()[
            "total"
        ]
        == 0
    )
    for params in ({"_since": "hôm qua"}, {"_count": "many"}):
        response = client.get("/fhir/Patient/_history", params=params, headers=his)
        assert response.status_code == 400
        assert response.json()["resourceType"] == "OperationOutcome"
    assert (
        client.get("/fhir/Observation", params={"date": "ge-soon"}, headers=his).status_code == 400
    )
