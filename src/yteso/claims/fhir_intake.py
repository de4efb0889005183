"""Accepted episodes → the shared record (yteso.records), in the intake's transaction.

Each new or replaced episode becomes transaction Bundles of PUT entries processed by the
record store as the submitting HIS client, so the store's own validation, ownership rule
(write scope = the client's facility), audit and patient-index link (every new Patient goes
through `match_record`) apply. A file of BULK_EPISODES or more changed episodes (a back-fill
batch) goes through the store's bulk import instead: its rows are made with the mapping,
before the intake's first write (`plan_episodes`); its new Patients are matched in one batch
of the patient index (intake_patients), then imported with the persons found, so the store
does not match them a second time. Any refusal raises `MappingFailed` with
findings: the service then rejects the whole file."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from yteso.claims import repository
from yteso.claims.envelope import Episode
from yteso.claims.fhir_mapping import (
    entered_in_error,
    map_episode,
    resend_changes,
    stt_named_lines,
)
from yteso.claims.fhir_terms import CLAIMS_TAG_SYSTEM, Resource
from yteso.claims.findings import Finding, Where
from yteso.claims.intake_patients import match_people, sort_out
from yteso.claims.models import ClaimEpisode
from yteso.claims.xml_parser import ParsedEpisode, iter_submission
from yteso.records import (
    Caller,
    FhirError,
    Issue,
    PreparedImport,
    import_prepared,
    prepare_import,
    process_bundle,
    stored_bodies,
)

# Entries per Bundle: below the store's YTESO_FHIR_MAX_BUNDLE_ENTRIES (default 1000).
BUNDLE_ENTRIES = 500
# From this many new or changed episodes in one file, the rest of the resources go through
# the store's bulk import (one executemany/COPY per table per batch, one audit event).
BULK_EPISODES = 50
BULK_BATCH = 5000
_ENTRY = re.compile(r"Bundle\.entry\[(\d+)\]|dòng (\d+)", re.ASCII)


class MappingFailed(Exception):
    """The record store refused part of an episode; `findings` say what and why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message_en if findings else "mapping failed")
        self.findings = findings


@dataclass(slots=True)
class _Planned:
    """What one episode writes: its Patient (when new to the record), its other resources."""

    where: Where
    patient: Resource
    resources: list[Resource]
    # Of a resend: the line resources an intake before 2026-12-02 would have stored under
    # ids by STT, to retire if they are in the store.
    stt_named: list[Resource] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Import:
    """Resources made into the store's rows ahead of the writes, and where each comes from."""

    rows: PreparedImport
    resources: list[Resource]
    places: list[Where]


@dataclass(slots=True)
class PlannedFile:
    """A file's new or replaced episodes mapped, and for a batch file the store's rows of
    everything but the Patients."""

    file: str | None
    plans: list[_Planned]
    bulk: _Import | None = None


def plan_episodes(
    session: Session,
    caller: Caller,
    facility: str,
    changed: list[tuple[Episode, ClaimEpisode | None]],
    file: str | None = None,
    bulk: bool = True,
) -> PlannedFile:
    """Map the new or replaced episodes (with their previous version), and with `bulk` make
    a batch file's rows. Reads only: nothing is written, so the CPU work happens before the
    intake's first write."""
    earlier = _previous_episodes(session, changed)
    source = caller.source or ""
    planned = PlannedFile(
        file,
        [
            _plan(facility, episode, earlier.get(i), Where(file, episode.ma_lk, "XML1"), source)
            for i, (episode, _previous) in enumerate(changed)
        ],
    )
    _retire_stt_named_lines(session, planned.plans)
    if bulk and len(changed) >= BULK_EPISODES:
        planned.bulk = _bulk_rows(session, caller, planned.plans)
    return planned


def plan_together(session: Session, caller: Caller, files: list[PlannedFile]) -> PlannedFile:
    """Several files' planned episodes as one, written through the bulk import as `caller`
    (each resource keeps the source its own file gave it)."""
    plans = [plan for planned in files for plan in planned.plans]
    return PlannedFile(None, plans, _bulk_rows(session, caller, plans))


def _bulk_rows(session: Session, caller: Caller, plans: list[_Planned]) -> _Import:
    resources = [r for plan in plans for r in plan.resources]
    places = [plan.where for plan in plans for _r in plan.resources]
    return _prepare(session, caller, resources, places)


def record_episodes(session: Session, caller: Caller, planned: PlannedFile) -> list[Finding]:
    """Write the planned episodes; returns warnings (a Patient that differs). A batch file
    goes through the store's bulk path, its new Patients matched in one batch of the patient
    index first."""
    plans = planned.plans
    try:
        people = sort_out(session, caller, [p.patient for p in plans], [p.where for p in plans])
    except FhirError as error:
        where = [plans[0].where] if plans else [Where(planned.file)]
        raise MappingFailed([_finding(where, i, []) for i in error.issues]) from None
    if planned.bulk is None:
        for plan, patient in zip(plans, people.new, strict=True):
            write(session, caller, [*([patient] if patient else []), *plan.resources], [plan.where])
        return people.warnings
    new = [(p, plan.where) for p, plan in zip(people.new, plans, strict=True) if p is not None]
    if new:
        patients = [patient for patient, _where in new]
        persons = match_people(session, planned.bulk.rows.facility, patients)
        places = [where for _patient, where in new]
        _bulk(session, caller, _prepare(session, caller, patients, places), persons)
    _bulk(session, caller, planned.bulk)
    return people.warnings


def _retire_stt_named_lines(session: Session, plans: list[_Planned]) -> None:
    """Line resources stored by intakes before 2026-12-02 (named by STT, which a resend
    renumbers) are marked entered-in-error when their episode is sent again: the resend's
    resources, named by line identity, replace them."""
    old = {(r["resourceType"], r["id"]): (plan, r) for plan in plans for r in plan.stt_named}
    if not old:
        return
    for key, body in stored_bodies(session, list(old)).items():
        if body.get("status") != "entered-in-error":
            plan, resource = old[key]
            plan.resources.append(entered_in_error(resource))


def _plan(
    facility: str, episode: Episode, earlier: Episode | None, where: Where, source: str
) -> _Planned:
    mapped = map_episode(facility, episode, source)
    if earlier is None:
        return _Planned(where, mapped.patient, mapped.resources)
    previous = map_episode(facility, earlier, source)
    entries = resend_changes(previous, mapped)
    stt_named = stt_named_lines(facility, earlier, source, previous)
    return _Planned(where, mapped.patient, entries, stt_named)


def _prepare(
    session: Session, caller: Caller, resources: list[Resource], places: list[Where]
) -> _Import:
    try:
        return _Import(prepare_import(session, caller, resources, BULK_BATCH), resources, places)
    except FhirError as error:
        raise MappingFailed([_finding(places, i, []) for i in error.issues]) from None


def _bulk(
    session: Session, caller: Caller, bulk: _Import, persons: dict[str, int] | None = None
) -> None:
    try:
        import_prepared(session, caller, bulk.rows, persons)
    except FhirError as error:
        found = [_finding(bulk.places, i, bulk.resources) for i in error.issues]
        raise MappingFailed(found) from None


def _previous_episodes(
    session: Session, changed: list[tuple[Episode, ClaimEpisode | None]]
) -> dict[int, Episode]:
    """Each replaced episode (by position) as its previous version was sent, read back from
    the raw files: each file parsed once."""
    wanted: dict[int, dict[int, list[int]]] = {}  # document id -> HOSO index -> positions
    for position, (_episode, previous) in enumerate(changed):
        if previous is not None:
            places = wanted.setdefault(previous.document_id, {})
            places.setdefault(previous.hoso_index, []).append(position)
    found: dict[int, Episode] = {}
    for document_id, places in wanted.items():
        document = repository.get_document(session, document_id)
        if document is None:
            continue
        index = 0
        for event in iter_submission(io.BytesIO(document.content)):
            if isinstance(event, ParsedEpisode):
                found.update({position: event.episode for position in places.get(index, ())})
                index += 1
    return found


def bundle(resources: list[Resource]) -> dict[str, object]:
    """A transaction of PUTs: client-assigned ids, so a resend updates the same resources."""
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "resource": resource,
                "request": {"method": "PUT", "url": f"{resource['resourceType']}/{resource['id']}"},
            }
            for resource in resources
        ],
    }


def write(session: Session, caller: Caller, resources: list[Resource], places: list[Where]) -> None:
    """Transaction Bundles of the resources; `places`: one for all, or one per resource."""
    for start in range(0, len(resources), BUNDLE_ENTRIES):
        chunk = resources[start : start + BUNDLE_ENTRIES]
        where = places[start : start + BUNDLE_ENTRIES] if len(places) > 1 else places
        try:
            process_bundle(session, caller, "", bundle(chunk))
        except FhirError as error:
            raise MappingFailed([_finding(where, i, chunk) for i in error.issues]) from None


def _finding(places: list[Where], issue: Issue, resources: list[Resource]) -> Finding:
    """A store issue as a finding: `Bundle.entry[i]` or `dòng n` (import) names the resource."""
    found = _ENTRY.search(issue.expression or "")
    index = None
    if found:
        index = int(found.group(1)) if found.group(1) else int(found.group(2)) - 1
    resource = resources[index] if index is not None and index < len(resources) else None
    where = places[index] if index is not None and index < len(places) else places[0]
    name = f"{resource['resourceType']}/{resource['id']}" if resource else "Bundle"
    tags = (resource or {}).get("meta", {}).get("tag") or [{}]
    table = next((t.get("code") for t in tags if t.get("system") == CLAIMS_TAG_SYSTEM), None)
    place = f" ({issue.expression})" if issue.expression else ""
    return Where(where.file, where.ma_lk, table or where.table).finding(
        "FHIR_MAPPING",
        f"Không ghi được {name} vào hồ sơ sức khỏe dùng chung: {issue.diagnostics}{place}",
        f"{name} could not be written to the shared health record: {issue.diagnostics}{place}",
    )
