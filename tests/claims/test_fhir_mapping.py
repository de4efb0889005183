"""QĐ 130 episode → FHIR resources (pure): ids, values, the store's validation, resends."""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest

from tests.claims.samples import all_episodes, episode, unique_middle_drug
from yteso.claims.envelope import Episode
from yteso.claims.fhir_lines import line_keys
from yteso.claims.fhir_mapping import MappedEpisode, map_episode, resend_changes
from yteso.claims.fhir_patient import differences
from yteso.claims.fhir_terms import compact, date, moment, number, resource_id
from yteso.records.validation import check_resource

SOURCE = "urn:yteso:claims:abc"


def _mapped(sample: Episode) -> MappedEpisode:
    return map_episode("19001", sample, SOURCE)


def test_values_and_ids() -> None:
    assert moment("202503011430") == "2025-03-01T14:30:00+07:00"
    assert (date("19900412"), date("19900000"), date("19900400")) == (
        "1990-04-12",
        "1990",
        "1990-04",
    )
    assert (number("1250.50"), number("14"), number("abc"), number("")) == (1250.5, 14, None, None)
    assert resource_id("19001", "ABC123", "XML2", "4") == "19001-ABC123-XML2-4"
    odd = resource_id("19001", "BN/2025 số 1", "XML2", "4")
    assert odd.startswith("19001-x") and odd == resource_id("19001", "BN/2025 số 1", "XML2", "4")
    assert len(resource_id("19001", "A" * 100)) <= 64


def test_every_sample_passes_the_stores_validation() -> None:
    types: Counter[str] = Counter()
    for sample in all_episodes():
        mapped = _mapped(sample)
        for resource in [mapped.patient, *mapped.resources]:
            check_resource(resource)
            assert resource["meta"]["source"] == SOURCE
            types[resource["resourceType"]] += 1
        ids = [(r["resourceType"], r["id"]) for r in mapped.resources]
        assert len(ids) == len(set(ids))
    expected = {"Encounter", "Condition", "Claim", "Coverage", "MedicationRequest"}
    expected |= {"MedicationDispense", "Observation", "DiagnosticReport", "Composition"}
    assert expected <= set(types)


def test_one_episode_in_detail() -> None:
    sample = episode("inpatient", papers=("XML4", "XML7", "XML8"))
    summary = sample.records("XML1")[0]
    mapped = _mapped(sample)
    by_type = Counter(r["resourceType"] for r in mapped.resources)
    drugs = sample.records("XML2")
    results = sample.records("XML4")
    services = {r["MA_DICH_VU"] for r in results}
    assert by_type["MedicationRequest"] == by_type["MedicationDispense"] == len(drugs)
    assert by_type["Observation"] == len(results) + 1  # + body weight
    assert by_type["DiagnosticReport"] == len(services)
    assert (by_type["Encounter"], by_type["Claim"], by_type["Composition"]) == (1, 1, 2)
    encounter = next(r for r in mapped.resources if r["resourceType"] == "Encounter")
    assert encounter["id"] == f"19001-{summary['MA_LK']}"
    assert encounter["class"]["code"] == "IMP"
    assert encounter["subject"] == {"reference": f"Patient/19001-{summary['MA_BN']}"}
    assert encounter["diagnosis"][0]["rank"] == 1
    claim = next(r for r in mapped.resources if r["resourceType"] == "Claim")
    assert len(claim["item"]) == len(drugs) + len(sample.records("XML3"))
    assert claim["total"] == {"value": number(summary["T_TONGCHI_BV"]), "currency": "VND"}
    tags = {t["code"] for r in mapped.resources for t in r["meta"]["tag"]}
    assert tags == {"XML1", "XML2", "XML4", "XML7", "XML8"}


def test_uninsured_episode_has_no_coverage() -> None:
    sample = episode()
    summary = sample.records("XML1")[0]
    summary.update({"MA_THE_BHYT": "", "GT_THE_TU": "", "GT_THE_DEN": "", "MA_DKBD": ""})
    mapped = _mapped(sample)
    assert not [r for r in mapped.resources if r["resourceType"] == "Coverage"]
    claim = next(r for r in mapped.resources if r["resourceType"] == "Claim")
    assert "coverage" in claim["insurance"][0] and "reference" not in claim["insurance"][0]


def test_resend_writes_only_changes_and_marks_removed_lines() -> None:
    """A line removed from the middle: the HIS numbers the rest 1, 2, 3 … again, and only
    the changed line and the removed one get a new version."""
    first = episode("inpatient")
    second = copy.deepcopy(first)
    drugs = second.tables("XML2")[0].records
    drugs[0]["LIEU_DUNG"] = "Ngày 3 lần"
    position = unique_middle_drug(drugs)
    drugs.pop(position)
    for stt, line in enumerate(drugs, 1):
        line["STT"] = str(stt)
    changes = resend_changes(_mapped(first), _mapped(second))
    keys = line_keys("XML2", first.records("XML2"))
    key = f"19001-{first.ma_lk}-XML2"
    written = {(r["resourceType"], r["id"]): r for r in changes}
    lines = {(t, i) for t, i in written if t.startswith("Medication")}
    kinds = ("MedicationRequest", "MedicationDispense")
    removed = {(t, f"{key}-{keys[position]}") for t in kinds}
    assert lines == {(t, f"{key}-{keys[0]}") for t in kinds} | removed  # dosage on both
    assert {written[k]["status"] for k in removed} == {"entered-in-error"}
    assert resend_changes(_mapped(first), _mapped(first)) == []


def test_line_ids_follow_the_line_not_its_number() -> None:
    records = [
        {"STT": "1", "MA_THUOC": "40.1", "NGAY_YL": "202503010800", "SO_LUONG": "2"},
        {"STT": "2", "MA_THUOC": "40.1", "NGAY_YL": "202503010800", "SO_LUONG": "4"},
        {"STT": "3", "MA_THUOC": "40.2", "NGAY_YL": "202503010800", "SO_LUONG": "1"},
    ]
    keys = line_keys("XML2", records)
    assert len(set(keys)) == 3  # the same drug twice at once: told apart by its turn
    renumbered = [{**r, "STT": str(n), "SO_LUONG": "9"} for n, r in enumerate(records, 7)]
    assert line_keys("XML2", renumbered) == keys
    assert line_keys("XML2", records[1:]) == keys[:1] + keys[2:]  # the first 40.1 gone
    assert all(re.fullmatch(r"[0-9a-f]{12}", k) for k in keys)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("HO_TEN", "Trần Thị Bình", ["HO_TEN"]), ("MA_THE_BHYT", "", []), ("GIOI_TINH", "2", None)],
)
def test_patient_differences(field: str, value: str, expected: list[str] | None) -> None:
    sample = episode()
    stored = _mapped(sample).patient
    summary = sample.records("XML1")[0]
    if field == "GIOI_TINH":
        value = "1" if summary["GIOI_TINH"] == "2" else "2"
        expected = ["GIOI_TINH"]
    summary[field] = value
    assert differences(stored, _mapped(sample).patient) == expected


def test_compact_drops_only_empty_elements() -> None:
    kept = {"a": 0, "b": False, "c": "x", "d": [1], "e": {"f": None}}
    assert compact({**kept, "g": None, "h": "", "i": [], "j": {}}) == kept
    assert list(compact(dict(kept))) == list(kept)


def test_a_procedure_without_its_own_diagnosis_treats_the_principal_one() -> None:
    sample = episode("inpatient")
    line = sample.records("XML3")[0]
    line.update(MA_NHOM="8", MA_BENH="")
    summary = sample.records("XML1")[0]
    procedures = [r for r in _mapped(sample).resources if r["resourceType"] == "Procedure"]
    reasons = [c["code"] for p in procedures for r in p["reasonCode"] for c in r["coding"]]
    assert reasons and set(reasons) == {summary["MA_BENH_CHINH"]}
    line["MA_BENH"] = "J069"  # its own, written without the dot
    procedures = [r for r in _mapped(sample).resources if r["resourceType"] == "Procedure"]
    assert procedures[0]["reasonCode"] == [
        {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/icd10", "code": "J06.9"}]}
    ]
