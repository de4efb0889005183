"""Accepted episodes in the shared record: POST /api/claims/submissions, then /fhir."""

from __future__ import annotations

import copy
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from tests.claims.samples import all_episodes, episode, unique_middle_drug
from tests.helpers import add_facility, bearer
from yteso.claims import Episode, fhir_intake, intake_patients, new_envelope, write_envelope
from yteso.claims.fhir_lines import line_keys
from yteso.claims.models import ClaimDocument, ClaimEpisode
from yteso.core.audit.models import AuditEvent
from yteso.patients import IdentifierKind, find_by_identifier

URL = "/api/claims/submissions"
SID = "http://fhir.ehealth.gov.vn/core/sid/"
FHIR = {"Accept": "application/fhir+json"}
# XML1 totals and the XML2 line field each is the sum of (synth.episode_lines.line_totals)
_DRUG_TOTALS = {
    "T_THUOC": "THANH_TIEN_BV",
    "T_TONGCHI_BV": "THANH_TIEN_BV",
    "T_TONGCHI_BH": "THANH_TIEN_BH",
    "T_BNTT": "T_BNTT",
    "T_BNCCT": "T_BNCCT",
    "T_BHTT": "T_BHTT",
    "T_NGUONKHAC": "T_NGUONKHAC",
    "T_BHTT_GDV": "T_BHTT",
}


def _sample(kind: str = "inpatient") -> Episode:
    sample = episode(kind, papers=("XML4",))
    sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    return sample


def _post(
    client: TestClient, headers: dict[str, str], sample: Episode, day: str = "20250301"
) -> Any:
    raw = write_envelope(new_envelope("19001", day, [sample]))
    return client.post(URL, content=raw, headers={**headers, "Content-Type": "application/xml"})


def _fhir(client: TestClient, headers: dict[str, str], path: str, **params: str) -> Any:
    response = client.get(f"/fhir/{path}", params=params, headers={**headers, **FHIR})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def his(client: TestClient, db: Session) -> dict[str, str]:
    add_facility(db, "19001")
    return bearer(client, db, "his", "19001")


@pytest.fixture(params=[1000, 1], ids=["bundle", "bulk"])
def write_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each episode through transaction Bundles, or every file through the bulk import."""
    monkeypatch.setattr(fhir_intake, "BULK_EPISODES", request.param)


def _types(bundle: dict[str, Any]) -> Counter[str]:
    return Counter(e["resource"]["resourceType"] for e in bundle.get("entry", []))


def test_accepted_episode_is_in_the_shared_record(client: TestClient, his: dict[str, str]) -> None:
    sample = _sample()
    summary = sample.records("XML1")[0]
    body = _post(client, his, sample).json()
    assert body["maKetQua"] == "000", body["findings"]
    found = _fhir(client, his, "Patient", identifier=f"{SID}national_id|{summary['SO_CCCD']}")
    patient = found["entry"][0]["resource"]
    assert patient["id"] == f"19001-{summary['MA_BN']}"
    assert patient["meta"]["source"] == f"urn:yteso:claims:{body['maGiaoDich']}"
    card = _fhir(
        client, his, "Patient", identifier=f"{SID}insurance_number|{summary['MA_THE_BHYT']}"
    )
    assert [e["resource"]["id"] for e in card["entry"]] == [patient["id"]]
    encounters = _fhir(client, his, "Encounter", patient=patient["id"])["entry"]
    assert [e["resource"]["id"] for e in encounters] == [f"19001-{summary['MA_LK']}"]
    everything = _fhir(client, his, f"Patient/{patient['id']}/$everything")
    results = sample.records("XML4")
    assert _types(everything) == {
        "Patient": 1,
        "Encounter": 1,
        "Coverage": 1,
        "Claim": 1,
        "Condition": len(
            {summary["MA_BENH_CHINH"], *filter(None, summary["MA_BENH_KT"].split(";"))}
        ),
        "MedicationRequest": len(sample.records("XML2")),
        "MedicationDispense": len(sample.records("XML2")),
        "Observation": len(results) + 1,  # + body weight
        "DiagnosticReport": len({r["MA_DICH_VU"] for r in results}),
        "Composition": 2,  # discharge paper, record summary
        **({"ServiceRequest": 1, "Composition": 3} if sample.tables("XML13") else {}),
        **({"Appointment": 1} if sample.tables("XML14") else {}),
    }


def test_patient_is_linked_to_the_person_across_facilities(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    sample = _sample("outpatient")
    summary = sample.records("XML1")[0]
    add_facility(db, "19002", name="Trung tâm Y tế Thử nghiệm")
    other = bearer(client, db, "his", "19002")
    family, *given = summary["HO_TEN"].split()
    own = {  # the same person, registered at another facility with their CCCD only
        "resourceType": "Patient",
        "identifier": [{"system": f"{SID}national_id", "value": summary["SO_CCCD"]}],
        "name": [{"family": family, "given": given}],
        "gender": {"1": "male", "2": "female"}[summary["GIOI_TINH"]],
        "birthDate": f"{summary['NGAY_SINH'][:4]}-{summary['NGAY_SINH'][4:6]}-"
        f"{summary['NGAY_SINH'][6:8]}",
    }
    created = client.post("/fhir/Patient", json=own, headers={**other, **FHIR})
    assert created.status_code == 201, created.text
    assert _post(client, his, sample).json()["maKetQua"] == "000"
    person = find_by_identifier(db, IdentifierKind.NATIONAL_ID, summary["SO_CCCD"])
    assert person is not None
    linked = db.execute(
        text("SELECT res_id, person_id FROM fhir_resources WHERE res_type = 'Patient'")
    ).all()
    assert {row[1] for row in linked} == {person.id} and len(linked) == 2
    # the other facility finds the episode through the person's CCCD
    query = {"patient.identifier": f"{SID}national_id|{summary['SO_CCCD']}"}
    encounters = _fhir(client, other, "Encounter", **query)["entry"]
    assert [e["resource"]["id"] for e in encounters] == [f"19001-{summary['MA_LK']}"]


def _drop_drug(sample: Episode, position: int = -1) -> dict[str, str]:
    """Remove an XML2 line, number the others 1, 2, 3 … again (as a HIS does), and take its
    amounts off the XML1 totals (money adds up)."""
    lines = sample.tables("XML2")[0].records
    line = lines.pop(position)
    for number, kept in enumerate(lines, 1):
        kept["STT"] = str(number)
    summary = sample.records("XML1")[0]
    for total, field in _DRUG_TOTALS.items():
        summary[total] = f"{Decimal(summary[total]) - Decimal(line[field]):.2f}"
    return line


def _drug_ids(sample: Episode, res_type: str = "MedicationRequest") -> list[str]:
    records = sample.records("XML2")
    return [f"{res_type}/19001-{sample.ma_lk}-XML2-{k}" for k in line_keys("XML2", records)]


@pytest.mark.usefixtures("write_path")
def test_resend_versions_changed_lines_and_marks_removed_ones(
    client: TestClient,
    db: Session,
    his: dict[str, str],
) -> None:
    first = _sample()
    _post(client, his, first)
    second = copy.deepcopy(first)
    second.records("XML2")[0]["LIEU_DUNG"] = "Ngày 3 lần, mỗi lần 1 viên"
    assert len(second.records("XML2")) >= 4
    _drop_drug(second, unique_middle_drug(second.records("XML2")))  # later STT change
    body = _post(client, his, second).json()
    assert body["episodes"][0]["change"] == "replaced", body["findings"]
    ids, dispenses = _drug_ids(first), _drug_ids(first, "MedicationDispense")
    changed = _fhir(client, his, ids[0])
    assert changed["meta"]["versionId"] == "2"
    assert changed["dosageInstruction"][0]["text"] == "Ngày 3 lần, mỗi lần 1 viên"
    assert changed["meta"]["source"] == f"urn:yteso:claims:{body['maGiaoDich']}"
    position = ids.index(next(i for i in ids if i not in _drug_ids(second)))
    for kept in ids[1:position] + ids[position + 1 :]:  # renumbered, the same drugs
        assert _fhir(client, his, kept)["meta"]["versionId"] == "1"
    gone = _fhir(client, his, ids[position])
    assert (gone["status"], gone["meta"]["versionId"]) == ("entered-in-error", "2")
    assert _fhir(client, his, dispenses[position])["status"] == "entered-in-error"
    history = _fhir(client, his, f"{ids[0]}/_history")
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    # Both paths audit the new versions per patient, naming them (a patient's accesses).
    updates = db.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert {(u.resource_type, u.resource_id) for u in updates} == {
        ("Patient", f"19001-{first.records('XML1')[0]['MA_BN']}")
    }
    assert ids[0] in " ".join(u.detail or "" for u in updates)


@pytest.mark.usefixtures("write_path")
def test_a_resend_retires_lines_stored_under_ids_by_stt(
    client: TestClient,
    db: Session,
    his: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An episode an intake before 2026-12-02 stored (line resources named by STT): sent
    again, those resources are marked entered-in-error, not left beside the new ones."""
    by_stt = fhir_intake.map_episode
    monkeypatch.setattr(
        fhir_intake, "map_episode", lambda f, e, s: by_stt(f, e, s, ids_by_stt=True)
    )
    first = _sample()
    _post(client, his, first)
    monkeypatch.setattr(fhir_intake, "map_episode", by_stt)
    second = copy.deepcopy(first)
    second.records("XML2")[0]["LIEU_DUNG"] = "Ngày 3 lần, mỗi lần 1 viên"
    body = _post(client, his, second).json()
    assert body["episodes"][0]["change"] == "replaced", body["findings"]
    old = _fhir(client, his, f"MedicationRequest/19001-{first.ma_lk}-XML2-1")
    assert (old["status"], old["meta"]["versionId"]) == ("entered-in-error", "2")
    new = _fhir(client, his, _drug_ids(second)[0])
    assert new["status"] != "entered-in-error"
    active = _fhir(client, his, "MedicationRequest", encounter=f"Encounter/19001-{first.ma_lk}")
    statuses = [e["resource"]["status"] for e in active["entry"]]
    assert statuses.count("entered-in-error") == len(first.records("XML2"))
    third = copy.deepcopy(second)
    third.records("XML2")[0]["LIEU_DUNG"] = "Ngày 2 lần"
    _post(client, his, third)  # retired once: no further version
    assert (
        _fhir(client, his, f"MedicationRequest/19001-{first.ma_lk}-XML2-1")["meta"]["versionId"]
        == "2"
    )


def test_identical_resend_writes_nothing(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    sample = _sample()
    _post(client, his, sample)
    count = "SELECT count(*) FROM fhir_history"
    before = db.execute(text(count)).scalar()
    assert _post(client, his, sample).json()["maKetQua"] == "000"  # same bytes
    again = _post(client, his, sample, day="20250302").json()  # same episode, new envelope
    assert again["episodes"][0]["change"] == "unchanged"
    assert db.execute(text(count)).scalar() == before


def test_mapping_failure_rejects_the_file(
    client: TestClient, db: Session, his: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTESO_FHIR_MAX_BUNDLE_ENTRIES", "3")  # the store refuses the Bundle
    response = _post(client, his, _sample())
    assert response.status_code == 422
    body = response.json()
    assert body["maKetQua"] == "001"
    assert {f["rule"] for f in body["findings"]} == {"FHIR_MAPPING"}
    assert "hồ sơ sức khỏe dùng chung" in body["findings"][0]["message_vi"]
    for model in (ClaimDocument, ClaimEpisode):
        assert db.scalar(select(func.count()).select_from(model)) == 0
    assert db.execute(text("SELECT count(*) FROM fhir_resources")).scalar() == 0


def test_stored_patient_is_not_overwritten(
    client: TestClient, db: Session, his: dict[str, str]
) -> None:
    first = _sample("outpatient")
    _post(client, his, first)
    later = _sample("inpatient")
    summary = later.records("XML1")[0]
    summary.update({k: first.records("XML1")[0][k] for k in ("MA_BN", "SO_CCCD", "MA_THE_BHYT")})
    summary["HO_TEN"] = "Tên Khác Hẳn"
    body = _post(client, his, later).json()
    assert body["maKetQua"] == "000"
    warnings = [f for f in body["findings"] if f["rule"] == "PATIENT_DIFFERS"]
    assert warnings and "HO_TEN" in warnings[0]["field"] and warnings[0]["severity"] == "warning"
    patient = _fhir(client, his, f"Patient/19001-{summary['MA_BN']}")
    assert patient["meta"]["versionId"] == "1"
    assert patient["name"][0]["text"] == first.records("XML1")[0]["HO_TEN"]


@pytest.mark.usefixtures("write_path")
def test_refusal_by_the_store_names_the_resource(
    client: TestClient,
    db: Session,
    his: dict[str, str],
) -> None:
    sample = _sample("outpatient")
    add_facility(db, "19002", name="Trung tâm Y tế Thử nghiệm")
    other = bearer(client, db, "his", "19002")
    taken = f"19001-{sample.ma_lk}"  # another facility took the id the claim's Encounter needs
    encounter = {"resourceType": "Encounter", "id": taken, "status": "planned"}
    encounter["class"] = {"code": "AMB"}
    put = client.put(f"/fhir/Encounter/{taken}", json=encounter, headers={**other, **FHIR})
    assert put.status_code == 201, put.text
    response = _post(client, his, sample)
    assert response.status_code == 422
    finding = response.json()["findings"][0]
    assert (finding["rule"], finding["table"]) == ("FHIR_MAPPING", "XML1")
    assert f"Encounter/{taken}" in finding["message_en"]
    assert db.scalar(select(func.count()).select_from(ClaimEpisode)) == 0
    patients = db.execute(text("SELECT count(*) FROM fhir_resources WHERE res_type = 'Patient'"))
    assert patients.scalar() == 0
    audited = db.scalars(select(AuditEvent).where(AuditEvent.action == "submit")).one()
    assert audited.outcome == "failure" and "FHIR_MAPPING" in (audited.detail or "")


def test_a_batch_file_goes_through_the_bulk_path(
    client: TestClient, db: Session, his: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fhir_intake, "BULK_EPISODES", 2)
    samples = [s for s in all_episodes() if s.records("XML1")[0]["MA_LOAI_KCB"] == "01"][:3]
    for sample in samples:
        sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    raw = write_envelope(new_envelope("19001", "20250301", samples))
    response = client.post(URL, content=raw, headers={**his, "Content-Type": "application/xml"})
    assert response.json()["maKetQua"] == "000", response.json()["findings"]
    for sample in samples:
        summary = sample.records("XML1")[0]
        patient = _fhir(client, his, f"Patient/19001-{summary['MA_BN']}")
        encounters = _fhir(client, his, "Encounter", patient=patient["id"])["entry"]
        assert f"19001-{summary['MA_LK']}" in {e["resource"]["id"] for e in encounters}
    # Two imports: the new Patients with the persons the intake matched, then the rest.
    imports = db.scalars(select(AuditEvent).where(AuditEvent.action == "import")).all()
    assert {i.resource_id for i in imports} == {f"urn:yteso:claims:{response.json()['maGiaoDich']}"}
    people = len({s.records("XML1")[0]["MA_BN"] for s in samples})
    assert f"nhập hàng loạt: {people} mới, 0 cập nhật" in {i.detail for i in imports}
    linked = db.execute(text("SELECT count(*) FROM fhir_resources WHERE person_id IS NOT NULL"))
    assert linked.scalar() == people
    # And each patient's writes are audited on its own, as through the API.
    created = db.scalars(
        select(AuditEvent.resource_id).where(
            AuditEvent.action == "create", AuditEvent.resource_type == "Patient"
        )
    ).all()
    assert set(created) == {f"19001-{s.records('XML1')[0]['MA_BN']}" for s in samples}


def _batch(samples: list[Episode], day: str = "20250301") -> bytes:
    return write_envelope(new_envelope("19001", day, samples))


@pytest.mark.parametrize("bulk", [2, 50], ids=["bulk path", "bundles"])
def test_a_file_matches_its_patients_once_and_compares_repeated_ones(
    client: TestClient,
    db: Session,
    his: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
    bulk: int,
) -> None:
    monkeypatch.setattr(fhir_intake, "BULK_EPISODES", bulk)
    monkeypatch.setattr(intake_patients, "SEARCH_IDS", 2)  # stored Patients in two searches
    samples = [s for s in all_episodes() if s.records("XML1")[0]["MA_LOAI_KCB"] == "01"][:4]
    for sample in samples:
        sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    stored, first, *_rest, again = (s.records("XML1")[0] for s in samples)
    assert _post(client, his, samples[0]).json()["maKetQua"] == "000"  # stored before
    again.update({k: first[k] for k in ("MA_BN", "SO_CCCD", "MA_THE_BHYT")})
    again["HO_TEN"] = "Tên Khác Hẳn"  # the same patient, later in the file, named otherwise
    stored["HO_TEN"] = "Cũng Khác"
    headers = {**his, "Content-Type": "application/xml"}
    body = client.post(URL, content=_batch(samples[1:] + samples[:1]), headers=headers).json()
    assert body["maKetQua"] == "000", body["findings"]
    differs = {f["ma_lk"] for f in body["findings"] if f["rule"] == "PATIENT_DIFFERS"}
    assert differs == {again["MA_LK"], stored["MA_LK"]}
    patient = _fhir(client, his, f"Patient/19001-{first['MA_BN']}")
    assert patient["meta"]["versionId"] == "1" and patient["name"][0]["text"] == first["HO_TEN"]
    patients = len({s.records("XML1")[0]["MA_BN"] for s in samples})
    for table in ("patient_source_records", "patient_link_events"):  # one match per Patient
        assert db.execute(text(f"SELECT count(*) FROM {table}")).scalar() == patients
    linked = db.execute(text("SELECT count(*) FROM fhir_resources WHERE person_id IS NOT NULL"))
    assert linked.scalar() == patients
    for sample in samples[1:3]:  # a resend of the file: two episodes changed
        sample.records("XML2")[0]["LIEU_DUNG"] = "Ngày 3 lần, mỗi lần 1 viên"
    body = client.post(URL, content=_batch(samples, "20250302"), headers=headers).json()
    changes = {e["maLk"]: e["change"] for e in body["episodes"]}
    assert [changes.pop(s.ma_lk) for s in samples[1:3]] == ["replaced"] * 2, body["findings"]
    assert set(changes.values()) == {"unchanged"}
    for sample in samples[1:3]:
        line = _fhir(client, his, _drug_ids(sample)[0])
        assert line["meta"]["versionId"] == "2"
        assert _fhir(client, his, f"Claim/19001-{sample.ma_lk}")["meta"]["versionId"] == "1"
