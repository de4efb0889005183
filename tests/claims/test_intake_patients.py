"""The Patients of a file meet the patient index once: as the record store reads them."""

from __future__ import annotations

from tests.claims.samples import all_episodes
from yteso.claims.fhir_mapping import map_episode
from yteso.claims.intake_patients import SEARCH_IDS
from yteso.records import patient_source_record
from yteso.records.search import MAX_COUNT


def test_each_mapped_patient_is_its_facility_source_record() -> None:
    patients = [map_episode("19001", e, "urn:yteso:claims:t").patient for e in all_episodes()]
    records = [patient_source_record(p, "19001") for p in patients]
    assert len({r.local_id for r in records}) > 1
    assert all(r.facility_code == "19001" and r.identifiers for r in records)
    bare = {"resourceType": "Patient", "id": "19001-X", "name": [{"family": "Lê", "given": ["Tư"]}]}
    assert patient_source_record(bare, "19001").local_id == "19001-X"


def test_one_search_returns_every_stored_patient_it_asks_for() -> None:
    assert SEARCH_IDS <= MAX_COUNT
