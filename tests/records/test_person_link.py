from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.records.fixtures import patient
from yteso import patients


def test_patients_written_at_two_facilities_are_matched_to_one_person(
    client: TestClient, db: Session, his: dict[str, str], other_his: dict[str, str]
) -> None:
    first = client.post("/fhir/Patient", json=patient(), headers=his)
    # The second facility typed the name without diacritics and has no BHYT card on file.
    second = client.post(
        "/fhir/Patient",
        json=patient(family="Nguyen", given=("Van", "An"), bhyt=None),
        headers=other_his,
    )
    assert first.status_code == second.status_code == 201
    person = patients.find_by_identifier(db, patients.IdentifierKind.NATIONAL_ID, "019090001234")
    assert person is not None
    decision = patients.match_record(
        db,
        patients.SourceRecordIn(
            facility_code="19002", local_id=second.json()["id"], origin="fhir", full_name="x"
        ),
    )
    assert decision.person_id == person.id and decision.rule == "known source record"
    everyone = client.get(
        "/fhir/Patient",
        params={"identifier": "http://fhir.ehealth.gov.vn/core/sid/national_id|019090001234"},
        headers=his,
    ).json()
    assert {e["resource"]["id"] for e in everyone["entry"]} == {
        first.json()["id"],
        second.json()["id"],
    }
