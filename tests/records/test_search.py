from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.records import fixtures as fx
from tests.records.test_crud import create


def ids(bundle: dict[str, Any], mode: str = "match") -> list[str]:
    return [
        e["resource"]["id"]
        for e in bundle.get("entry", [])
        if e.get("search", {}).get("mode") == mode
    ]


def search(client: TestClient, headers: dict[str, str], path: str, **params: Any) -> dict[str, Any]:
    response = client.get(f"/fhir/{path}", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_patient_name_without_diacritics_identifier_birthdate(
    client: TestClient, his: dict[str, str]
) -> None:
    an = create(client, his, fx.patient())
    binh = create(client, his, fx.patient("019190004321", "Trần", ("Thị", "Bình"), None, "2001-07"))
    assert ids(search(client, his, "Patient", name="nguyen van an")) == [an["id"]]
    assert ids(search(client, his, "Patient", family="TRAN")) == [binh["id"]]
    assert ids(search(client, his, "Patient", name="binh")) == [binh["id"]]
    assert ids(search(client, his, "Patient", identifier=f"{fx.SID}national_id|019090001234")) == [
        an["id"]
    ]
    assert ids(search(client, his, "Patient", identifier="DN4190123456789")) == [an["id"]]
    assert ids(search(client, his, "Patient", birthdate="ge2000")) == [binh["id"]]
    assert ids(search(client, his, "Patient", birthdate="1990-04-12")) == [an["id"]]
    assert ids(search(client, his, "Patient", birthdate="2001-07-15")) == []
    assert ids(search(client, his, "Patient", gender="male", name="an")) == [an["id"]]


def test_observation_parameters_and_date_prefixes(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    encounter = create(client, his, fx.encounter(patient["id"]))
    early = create(
        client, his, fx.observation(patient["id"], when="2026-01-10", encounter=encounter["id"])
    )
    late = create(client, his, fx.observation(patient["id"], "2339-0", "2026-06-01T10:00:00Z"))
    pid = patient["id"]
    assert set(ids(search(client, his, "Observation", patient=pid))) == {early["id"], late["id"]}
    assert ids(
        search(client, his, "Observation", patient=f"Patient/{pid}", code=f"{fx.LOINC}|2339-0")
    ) == [late["id"]]
    assert ids(search(client, his, "Observation", subject=f"Patient/{pid}", code="8867-4")) == [
        early["id"]
    ]
    assert ids(search(client, his, "Observation", encounter=encounter["id"])) == [early["id"]]
    assert ids(search(client, his, "Observation", date="lt2026-02")) == [early["id"]]
    assert ids(search(client, his, "Observation", date="gt2026-02-01")) == [late["id"]]
    assert ids(search(client, his, "Observation", date="le2026-01-10")) == [early["id"]]
    assert ids(search(client, his, "Observation", date="eq2026-06")) == [late["id"]]
    assert len(ids(search(client, his, "Observation", date="ge2026-01-10"))) == 2
    assert len(ids(search(client, his, "Observation", status="final", category="vital-signs"))) == 2
    assert ids(search(client, his, "Observation", status="amended")) == []
    assert len(ids(search(client, his, "Observation", _lastUpdated="gt2020-01-01"))) == 2
    assert ids(search(client, his, "Encounter", date="2026-03-05", status="finished")) == [
        encounter["id"]
    ]


def test_paging_sort_summary_and_includes(client: TestClient, his: dict[str, str]) -> None:
    org = create(client, his, fx.organization())
    patient = create(
        client,
        his,
        {**fx.patient(), "managingOrganization": {"reference": f"Organization/{org['id']}"}},
    )
    made = [
        create(client, his, fx.observation(patient["id"], when=f"2026-01-{d:02d}"))
        for d in range(1, 8)
    ]
    first = search(client, his, "Observation", patient=patient["id"], _count=3, _sort="-date")
    assert ids(first) == [m["id"] for m in reversed(made)][:3]
    seen = ids(first)
    link = next(lk["url"] for lk in first["link"] if lk["relation"] == "next")
    while link:
        page = client.get(link.replace("http://testserver", ""), headers=his).json()
        seen += ids(page)
        link = next((lk["url"] for lk in page["link"] if lk["relation"] == "next"), None)
    assert seen == [m["id"] for m in reversed(made)]
    assert search(client, his, "Observation", _summary="count")["total"] == 7
    included = search(client, his, "Observation", _id=made[0]["id"], _include="Observation:patient")
    assert ids(included, "include") == [patient["id"]]
    rev = search(
        client,
        his,
        "Patient",
        _id=patient["id"],
        _revinclude="Observation:subject",
        _include="Patient:organization",
    )
    assert len(ids(rev, "include")) == 8


def test_unsupported_parameters_are_reported_or_refused(
    client: TestClient, his: dict[str, str]
) -> None:
    bundle = search(client, his, "Patient", shoe_size="42")
    outcome = bundle["entry"][-1]
    assert outcome["search"]["mode"] == "outcome"
    assert "shoe_size" in outcome["resource"]["issue"][0]["diagnostics"]
    strict = client.get("/fhir/Patient?shoe_size=42", headers={**his, "Prefer": "handling=strict"})
    assert strict.status_code == 400
    assert strict.json()["resourceType"] == "OperationOutcome"


def test_identifier_finds_records_from_every_facility(
    client: TestClient, his: dict[str, str], other_his: dict[str, str]
) -> None:
    here = create(client, his, fx.patient())
    # The other facility knows the person only by the insurance card.
    there_patient = fx.patient()
    there_patient["identifier"] = [there_patient["identifier"][1]]
    there = create(client, other_his, there_patient)
    obs_here = create(client, his, fx.observation(here["id"]))
    obs_there = create(client, other_his, fx.observation(there["id"]))
    cccd = f"{fx.SID}national_id|019090001234"
    found = search(client, his, "Observation", **{"patient.identifier": cccd})
    assert set(ids(found)) == {obs_here["id"], obs_there["id"]}
    everything = client.get(f"/fhir/Patient/{here['id']}/$everything", headers=his).json()
    assert {e["resource"]["id"] for e in everything["entry"]} == {
        here["id"],
        there["id"],
        obs_here["id"],
        obs_there["id"],
    }
    window = client.get(
        f"/fhir/Patient/{here['id']}/$everything", params={"start": "2027-01-01"}, headers=his
    ).json()
    assert {e["resource"]["resourceType"] for e in window["entry"]} == {"Patient"}


def test_open_period_reaches_into_the_future(client: TestClient, his: dict[str, str]) -> None:
    patient = create(client, his, fx.patient())
    ongoing = fx.encounter(patient["id"])
    ongoing["status"] = "in-progress"
    ongoing["period"] = {"start": "2026-03-05T08:00:00+07:00"}
    made = create(client, his, ongoing)
    assert ids(search(client, his, "Encounter", date="ge2030-01-01")) == [made["id"]]
    assert ids(search(client, his, "Encounter", date="lt2026-01-01")) == []


def test_narrower_reference_parameters_read_the_wider_ones_rows(
    client: TestClient, his: dict[str, str]
) -> None:
    """patient (of Patient targets) is read from subject's rows, practitioner and location
    from actor's: each reference is indexed once, and each parameter still sees only its
    own target types."""
    patient = create(client, his, fx.patient())["id"]
    mine = create(client, his, fx.observation(patient))["id"]
    grouped = {**fx.observation(patient), "subject": {"reference": "Group/g-1"}}
    group_obs = create(client, his, grouped)["id"]
    assert ids(search(client, his, "Observation", **{"patient:Patient": patient})) == [mine]
    assert ids(search(client, his, "Observation", **{"patient:Group": "g-1"})) == []
    assert ids(search(client, his, "Observation", subject="Group/g-1")) == [group_obs]
    assert ids(search(client, his, "Observation", **{"subject:Patient": patient})) == [mine]
    included = search(client, his, "Observation", _id=group_obs, _include="Observation:patient")
    assert ids(included, "include") == []
    assert ids(
        search(client, his, "Patient", _id=patient, _revinclude="Observation:patient"), "include"
    ) == [mine]

    actors = [f"Patient/{patient}", "Practitioner/bs-1", "Location/phong-2"]
    appointment = {
        "resourceType": "Appointment",
        "status": "booked",
        "start": "2026-03-05T08:30:00+07:00",
        "participant": [{"actor": {"reference": a}, "status": "accepted"} for a in actors],
    }
    booked = create(client, his, appointment)["id"]
    assert ids(search(client, his, "Appointment", practitioner="Practitioner/bs-1")) == [booked]
    assert ids(search(client, his, "Appointment", practitioner="Location/phong-2")) == []
    assert ids(search(client, his, "Appointment", location="phong-2")) == [booked]
    assert ids(search(client, his, "Appointment", actor="Location/phong-2")) == [booked]
