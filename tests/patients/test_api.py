from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import add_facility, add_user, bearer, login, staff_client
from yteso import patients
from yteso.core.errors import Conflict


def _person(cccd: str = "019190001234", bhyt: str | None = "GD4191234567890") -> patients.PersonIn:
    identifiers = [{"kind": "national_id", "value": cccd}]
    if bhyt:
        identifiers.append({"kind": "insurance_number", "value": bhyt})
    return patients.PersonIn.model_validate(
        {
            "family_name": "Nguyễn",
            "middle_name": "Thị Thu",
            "given_name": "Hà",
            "sex": 2,
            "birth_date": date(1990, 5, 17),
            "commune_code": "05443",
            "identifiers": identifiers,
        }
    )


def test_person_gets_a_folded_name_key_and_unique_identifiers(db: Session) -> None:
    person = patients.add_person(db, _person())
    db.commit()
    assert person.full_name == "Nguyễn Thị Thu Hà"
    found = patients.find_by_identifier(db, patients.IdentifierKind.NATIONAL_ID, "019190001234")
    assert found is not None and found.id == person.id
    assert [p.id for p in patients.search_by_name(db, "nguyen thi thu ha", 1990)] == [person.id]
    assert patients.search_by_name(db, "nguyen thi thu ha", 1991) == []
    with pytest.raises(Conflict):
        patients.add_person(db, _person(bhyt=None))


def test_clinician_reads_a_person_and_the_read_is_audited(client: TestClient, db: Session) -> None:
    add_facility(db, "19001")
    person = patients.add_person(db, _person())
    db.commit()
    staff_client(client, db, "clinician", "19001")
    response = client.get(f"/api/persons/{person.id}")
    assert response.status_code == 200 and response.json()["full_name"] == "Nguyễn Thị Thu Hà"
    by_id = client.get("/api/persons", params={"identifier": "insurance_number|GD4191234567890"})
    assert [p["id"] for p in by_id.json()] == [person.id]
    add_user(db, "phantich", "doh_analyst")
    login(client, "phantich")
    events = client.get("/api/audit", params={"resource_type": "Person"}).json()
    assert {(e["action"], e["actor_id"], e["outcome"]) for e in events} == {
        ("read", "clinician19001", "success"),
        ("search", "clinician19001", "success"),
    }
    assert all(e["facility_code"] == "19001" and e["role"] == "clinician" for e in events)


def test_analyst_may_not_see_named_people_and_the_refusal_is_audited(
    client: TestClient, db: Session
) -> None:
    person = patients.add_person(db, _person())
    db.commit()
    staff_client(client, db, "doh_analyst")
    response = client.get(f"/api/persons/{person.id}")
    assert response.status_code == 403
    assert "tiếp đón hoặc lâm sàng" in response.json()["error"]["message"]
    events = client.get("/api/audit", params={"resource_type": "Person"}).json()
    assert [(e["outcome"], e["resource_id"]) for e in events] == [("denied", str(person.id))]


def test_kiosk_token_may_look_up_by_identifier(client: TestClient, db: Session) -> None:
    patients.add_person(db, _person())
    db.commit()
    headers = bearer(client, db, "kiosk", "19001")
    response = client.get(
        "/api/persons", params={"identifier": "national_id|019190001234"}, headers=headers
    )
    assert response.status_code == 200 and len(response.json()) == 1
    bad = client.get("/api/persons", params={"identifier": "cmt|1"}, headers=headers)
    assert bad.status_code == 422 and "national_id" in bad.json()["error"]["message"]
    assert client.get("/api/persons/999999", headers=headers).status_code == 404


def test_single_insert_after_a_bulk_load_gets_a_fresh_id(db: Session) -> None:
    loaded = sum(
        patients.bulk_add_people(db, [_person("019190000001", None), _person("019190000002", None)])
    )
    added = patients.add_person(db, _person("019190000003", None))
    db.commit()
    assert loaded == 2 and added.id == 3
