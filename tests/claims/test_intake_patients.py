"""The Patients of a file meet the patient index once: as the record store reads them."""

from __future__ import annotations

from tests.claims.samples import all_episodes
from yteso.claims.fhir_mapping import map_episode
from yteso.claims.intake_patients import SEARCH_IDS, source_record
from yteso.records.person_link import _source_record as store_reads  # what must agree
from yteso.records.search import MAX_COUNT


def test_a_patient_is_read_as_the_record_store_reads_it() -> None:
    patients = [map_episode("19001", e, "urn:yteso:claims:t").patient for e in all_episodes()]
    bare = {"resourceType": "Patient", "id": "19001-X", "name": [{"family": "Lê", "given": ["Tư"]}]}
    for patient in [*patients, bare]:
        assert source_record(patient, "19001") == store_reads(patient, "19001")
    assert len({source_record(p, "19001").local_id for p in patients}) > 1


def test_one_search_returns_every_stored_patient_it_asks_for() -> None:
    assert SEARCH_IDS <= MAX_COUNT
