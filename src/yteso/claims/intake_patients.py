"""The Patients of a file at intake: which are new to the shared record, which differ from
the one stored (a warning, never an overwrite), and, for a batch file, their persons in the
patient index matched together before they are written.

Stored Patients are read with one search per 200 ids instead of one read per episode. An
episode whose Patient an earlier episode of the same file brings is compared with that one,
as if it had been stored first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson
from sqlalchemy.orm import Session

from yteso.claims.fhir_patient import differences
from yteso.claims.fhir_terms import Resource
from yteso.claims.findings import Finding, Where
from yteso.patients import match_records
from yteso.records import Caller, FhirError, patient_source_record, read, run_search

# Ids per search: within the store's largest page (records.search MAX_COUNT, 500), or some
# would be left out (a test keeps them in step).
SEARCH_IDS = 200


@dataclass(slots=True)
class FilePatients:
    """Per episode of the file (in order): its Patient when new to the record, else None."""

    new: list[Resource | None] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


def sort_out(
    session: Session, caller: Caller, claimed: list[Resource], places: list[Where]
) -> FilePatients:
    """Each episode's claimed Patient: new (to write) or known (compared)."""
    stored = stored_patients(session, caller, sorted({p["id"] for p in claimed}))
    result = FilePatients()
    for patient, where in zip(claimed, places, strict=True):
        known = stored.get(patient["id"])
        if known is None:
            stored[patient["id"]] = patient
            result.new.append(patient)
            continue
        result.new.append(None)
        result.warnings += _differing(known, patient, where)
    return result


def stored_patients(session: Session, caller: Caller, ids: list[str]) -> dict[str, Resource]:
    """The stored (not deleted) Patients among these ids; the reads are audited. One id (a
    file of one episode) is read, not searched: a search costs the store more statements."""
    if len(ids) == 1:
        return _read(session, caller, ids[0])
    found: dict[str, Resource] = {}
    for start in range(0, len(ids), SEARCH_IDS):
        chunk = ids[start : start + SEARCH_IDS]
        pairs = [("_id", ",".join(chunk)), ("_count", str(len(chunk)))]
        page = run_search(session, caller, "", "Patient", pairs, strict=True)
        for entry in page.get("entry") or []:
            # Entries hold the stored JSON text as an orjson.Fragment.
            resource = orjson.loads(orjson.dumps(entry["resource"]))
            found[resource["id"]] = resource
    return found


def _read(session: Session, caller: Caller, patient_id: str) -> dict[str, Resource]:
    try:
        stored = read(session, caller, "Patient", patient_id)
    except FhirError as error:
        if error.status in (404, 410):
            return {}
        raise
    return {patient_id: orjson.loads(stored.body)}


def _differing(stored: Resource, claimed: Resource, where: Where) -> list[Finding]:
    differing = differences(stored, claimed)
    if not differing:
        return []
    fields = ", ".join(differing)
    return [
        where.finding(
            "PATIENT_DIFFERS",
            f"Thông tin người bệnh khác Patient/{claimed['id']} đã lưu ({fields}): giữ bản đã "
            "lưu; cập nhật qua API FHIR hoặc chỉ số người bệnh nếu cần.",
            f"Patient details differ from the stored Patient/{claimed['id']} ({fields}): the "
            "stored one is kept; update it through the FHIR API or the patient index if needed.",
            field=fields,
            severity="warning",
        )
    ]


def match_people(session: Session, facility: str, patients: list[Resource]) -> dict[str, int]:
    """The person of each new Patient (by id), matched in one batch of the patient index
    the way the record store would (`patient_source_record`)."""
    if not patients:
        return {}
    decisions = match_records(session, [patient_source_record(p, facility) for p in patients])
    return {p["id"]: d.person_id for p, d in zip(patients, decisions, strict=True)}
