"""Search-index rows: one row per distinct value of a resource, and searches that find a
resource with repeated values once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.records import fixtures as fx
from tests.records.test_crud import create
from tests.records.test_search import ids, search
from yteso.records.indexing import date_range, index_rows
from yteso.records.models import FhirResource, ReferenceIndex, StringIndex, TokenIndex

MA_LK = "urn:yteso:qd130:MA_LK:19001"


def claim(patient_id: str, encounter_id: str, items: int = 3) -> dict[str, Any]:
    """A QĐ 130 Claim as the mapping makes it: every item names the same Encounter."""
    encounter = [{"reference": f"Encounter/{encounter_id}"}]
    return {
        "resourceType": "Claim",
        "identifier": [{"system": MA_LK, "value": "LK001"}, {"system": MA_LK, "value": "LK001"}],
        "status": "active",
        "use": "claim",
        "patient": {"reference": f"Patient/{patient_id}"},
        "created": "2026-03-05T11:00:00+07:00",
        "item": [{"sequence": n, "encounter": encounter} for n in range(1, items + 1)],
    }


def test_repeated_values_give_one_row_each() -> None:
    patient = fx.patient(given=("An", "An"))
    patient["identifier"].append(dict(patient["identifier"][0]))
    rows = index_rows(patient)
    assert rows.tokens.count(("identifier", f"{fx.SID}national_id", "019090001234")) == 1
    assert rows.strings.count(("given", "an")) == 1
    assert ("name", "nguyen an an") in rows.strings
    claim_rows = index_rows({**claim("p1", "e1", items=20), "id": "c1"})
    assert claim_rows.refs == [("patient", "Patient", "p1"), ("encounter", "Encounter", "e1")]
    assert claim_rows.tokens.count(("identifier", MA_LK, "LK001")) == 1
    for table in (claim_rows.tokens, claim_rows.strings, claim_rows.dates, claim_rows.refs):
        assert len(table) == len(set(table))


def _rows(db: Session, model: Any, res_id: str) -> int:
    owner = select(FhirResource.serial).where(FhirResource.res_id == res_id).scalar_subquery()
    query = select(func.count()).select_from(model).where(model.serial == owner)
    return int(db.scalar(query) or 0)


def test_a_resource_with_repeated_values_is_found_once(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    patient = create(client, his, fx.patient())
    encounter = create(client, his, fx.encounter(patient["id"]))
    made = create(client, his, claim(patient["id"], encounter["id"]))
    other = create(client, his, claim(patient["id"], encounter["id"], items=1))
    assert _rows(db, ReferenceIndex, made["id"]) == 2  # patient, encounter
    assert _rows(db, TokenIndex, made["id"]) == _rows(db, TokenIndex, other["id"])
    assert _rows(db, StringIndex, made["id"]) == 0
    found = search(client, his, "Claim", encounter=encounter["id"], _sort="_id")
    assert ids(found) == sorted([made["id"], other["id"]])
    assert found["total"] == 2
    by_identifier = search(client, his, "Claim", identifier=f"{MA_LK}|LK001", _total="accurate")
    assert sorted(ids(by_identifier)) == sorted([made["id"], other["id"]])
    counted = search(
        client, his, "Claim", encounter=f"Encounter/{encounter['id']}", _summary="count"
    )
    assert counted["total"] == 2
    included = search(client, his, "Claim", _id=made["id"], _include="Claim:encounter")
    assert ids(included, "include") == [encounter["id"]]
    rev = search(client, his, "Encounter", _id=encounter["id"], _revinclude="Claim:encounter")
    assert sorted(ids(rev, "include")) == sorted([made["id"], other["id"]])
    everything = client.get(f"/fhir/Patient/{patient['id']}/$everything", headers=his).json()
    listed = [e["resource"]["id"] for e in everything["entry"]]
    assert sorted(listed) == sorted([patient["id"], encounter["id"], made["id"], other["id"]])


def test_long_token_systems_and_tag_codes_are_stored_and_found(
    client: TestClient, his: dict[str, str]
) -> None:
    """Longer than the index columns (200): PostgreSQL refused the whole write before."""
    patient = create(client, his, fx.patient())
    observation = fx.observation(patient["id"])
    system, code = "urn:" + "s" * 250, "c" * 250
    observation["code"]["coding"][0]["system"] = system
    observation["meta"] = {"tag": [{"system": "urn:t", "code": code}]}
    made = create(client, his, observation)
    by_code = search(
        client, his, "Observation", code=f"{system}|{observation['code']['coding'][0]['code']}"
    )
    assert ids(by_code) == [made["id"]]
    assert ids(search(client, his, "Observation", _tag=f"urn:t|{code}")) == [made["id"]]


def test_a_reference_is_indexed_once_under_the_widest_parameter() -> None:
    rows = index_rows(fx.observation("p-1"))
    assert ("subject", "Patient", "p-1") in rows.refs
    assert [row for row in rows.refs if row[0] == "patient"] == []


def _serial(db: Session, res_id: str) -> int:
    return int(db.scalar(select(FhirResource.serial).where(FhirResource.res_id == res_id)) or 0)


def test_index_rows_follow_the_serial_and_results_come_in_the_order_stored(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    """Index rows name their resource by its serial, given once when it is first stored:
    an update keeps it and replaces the rows. Without _sort, a search lists matches in the
    order they were stored (ids here are random UUIDs, so not in id order)."""
    patient = create(client, his, fx.patient())
    made = [create(client, his, fx.observation(patient["id"])) for _ in range(6)]
    serials = [_serial(db, m["id"]) for m in made]
    assert serials == sorted(serials) and len(set(serials)) == 6
    first = made[0]
    rows_before = _rows(db, TokenIndex, first["id"])
    changed = {**first, "status": "amended"}
    response = client.put(f"/fhir/Observation/{first['id']}", json=changed, headers=his)
    assert response.status_code == 200, response.text
    db.expire_all()
    assert _serial(db, first["id"]) == serials[0]
    assert _rows(db, TokenIndex, first["id"]) == rows_before
    assert ids(search(client, his, "Observation", status="amended")) == [first["id"]]
    listed = ids(search(client, his, "Observation", patient=patient["id"]))
    assert listed == [m["id"] for m in made]
    by_code = ids(search(client, his, "Observation", code="8867-4", _count="4"))
    assert by_code == [m["id"] for m in made[:4]]


def test_new_resources_are_never_given_another_resources_serial(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    """SQLite numbers new rows from the largest rowid, consecutively; past the largest
    possible one it picks free rowids at random. The store checks the numbers it assumes
    and refuses the write rather than index a resource under another's serial."""
    patient = create(client, his, fx.patient())
    top = FhirResource(
        serial=2**63 - 1,
        res_type="Basic",
        res_id="top",
        version=1,
        last_updated=datetime.now(UTC),
        deleted=False,
        resource={"resourceType": "Basic", "id": "top"},
    )
    db.add(top)
    db.commit()
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": fx.observation(patient["id"]),
                "request": {"method": "POST", "url": "Observation"},
            }
            for _ in range(3)
        ],
    }
    response = client.post("/fhir", json=bundle, headers=his)
    if db.get_bind().dialect.name == "postgresql":  # serials come from a sequence
        assert response.status_code == 200, response.text
        assert len(ids(search(client, his, "Observation", patient=patient["id"]))) == 3
        return
    assert response.status_code == 500
    assert ids(search(client, his, "Observation", patient=patient["id"])) == []


@pytest.mark.parametrize("text", ["٢٠٢٥", "２０２５-01-01", "2025-0١-01"])
def test_dates_are_written_with_digits_0_to_9(text: str) -> None:
    with pytest.raises(ValueError, match="ngày giờ không hợp lệ"):
        date_range(text)
