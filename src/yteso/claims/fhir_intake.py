"""Accepted episodes → the shared record (yteso.records), in the intake's transaction.

Each new or replaced episode becomes transaction Bundles of PUT entries processed by the
record store as the submitting HIS client, so the store's own validation, ownership rule
(write scope = the client's facility), audit and patient-index link (every new Patient goes
through `match_record`) apply. A file of BULK_EPISODES or more changed episodes (a back-fill
batch) writes its Patients the same way and everything else through the store's bulk
import. Any refusal raises `MappingFailed` with findings: the service then rejects the
whole file.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import orjson
from sqlalchemy.orm import Session

from yteso.claims import repository
from yteso.claims.envelope import Episode
from yteso.claims.fhir_mapping import map_episode, resend_changes
from yteso.claims.fhir_patient import differences
from yteso.claims.fhir_terms import CLAIMS_TAG_SYSTEM, Resource
from yteso.claims.findings import Finding, Where
from yteso.claims.models import ClaimEpisode
from yteso.claims.xml_parser import ParsedEpisode, iter_submission
from yteso.records import Caller, FhirError, Issue, import_ndjson, process_bundle, read

# Entries per Bundle: below the store's YTESO_FHIR_MAX_BUNDLE_ENTRIES (default 1000).
BUNDLE_ENTRIES = 500
# From this many new or changed episodes in one file, the rest of the resources go through
# the store's bulk import (one executemany/COPY per table per batch, one audit event).
BULK_EPISODES = 50
BULK_BATCH = 5000
_ENTRY = re.compile(r"Bundle\.entry\[(\d+)\]|dòng (\d+)")


class MappingFailed(Exception):
    """The record store refused part of an episode; `findings` say what and why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__(findings[0].message_en if findings else "mapping failed")
        self.findings = findings


@dataclass(slots=True)
class _Planned:
    """What one episode writes: its new Patient (if any), then its other resources."""

    where: Where
    patient: list[Resource]
    resources: list[Resource]


def record_episodes(
    session: Session,
    caller: Caller,
    facility: str,
    changed: list[tuple[Episode, ClaimEpisode | None]],
    file: str | None = None,
) -> list[Finding]:
    """Write the new or replaced episodes of a file (with their previous version); returns
    warnings (a Patient that differs). A file of many episodes (a back-fill batch) goes
    through the store's bulk path, except Patients, which always meet the patient index."""
    warnings: list[Finding] = []
    plans = []
    for episode, previous in changed:
        plan = _plan(session, caller, facility, episode, previous, file, warnings)
        if len(changed) < BULK_EPISODES:
            write(session, caller, plan.patient + plan.resources, plan.where)
        else:
            write(session, caller, plan.patient, plan.where)
            plans.append(plan)
    if plans:
        _bulk(session, caller, plans)
    return warnings


def _plan(
    session: Session,
    caller: Caller,
    facility: str,
    episode: Episode,
    previous: ClaimEpisode | None,
    file: str | None,
    warnings: list[Finding],
) -> _Planned:
    source = caller.source or ""
    mapped = map_episode(facility, episode, source)
    entries = mapped.resources
    earlier = previous_episode(session, previous) if previous is not None else None
    if earlier is not None:
        entries = resend_changes(map_episode(facility, earlier, source), mapped)
    where = Where(file, episode.ma_lk, "XML1")
    new_patient, differing = _patient(session, caller, mapped.patient, where)
    warnings += differing
    return _Planned(where, new_patient, entries)


def _bulk(session: Session, caller: Caller, plans: list[_Planned]) -> None:
    resources = [r for plan in plans for r in plan.resources]
    places = [plan.where for plan in plans for _r in plan.resources]
    lines = (orjson.dumps(resource) for resource in resources)
    try:
        import_ndjson(session, caller, lines, batch_size=BULK_BATCH)
    except FhirError as error:
        raise MappingFailed([_finding(places, i, resources) for i in error.issues]) from None


def previous_episode(session: Session, version: ClaimEpisode) -> Episode | None:
    """The episode as its previous version was sent (read back from the raw file)."""
    document = repository.get_document(session, version.document_id)
    if document is None:
        return None
    index = 0
    for event in iter_submission(io.BytesIO(document.content)):
        if isinstance(event, ParsedEpisode):
            if index == version.hoso_index:
                return event.episode
            index += 1
    return None


def _patient(
    session: Session, caller: Caller, claimed: Resource, where: Where
) -> tuple[list[Resource], list[Finding]]:
    """[the Patient] when the facility's Patient is new; else nothing to write, and a
    warning when the claim's demographics differ from the stored ones (never overwritten)."""
    try:
        stored = read(session, caller, "Patient", claimed["id"])
    except FhirError as error:
        if error.status in (404, 410):
            return [claimed], []
        raise MappingFailed([_finding([where], i, [claimed]) for i in error.issues]) from None
    differing = differences(orjson.loads(stored.body), claimed)
    if not differing:
        return [], []
    fields = ", ".join(differing)
    warning = where.finding(
        "PATIENT_DIFFERS",
        f"Thông tin người bệnh khác Patient/{claimed['id']} đã lưu ({fields}): giữ bản đã lưu; "
        "cập nhật qua API FHIR hoặc chỉ số người bệnh nếu cần.",
        f"Patient details differ from the stored Patient/{claimed['id']} ({fields}): the "
        "stored one is kept; update it through the FHIR API or the patient index if needed.",
        field=fields,
        severity="warning",
    )
    return [], [warning]


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


def write(session: Session, caller: Caller, resources: list[Resource], where: Where) -> None:
    for start in range(0, len(resources), BUNDLE_ENTRIES):
        chunk = resources[start : start + BUNDLE_ENTRIES]
        try:
            process_bundle(session, caller, "", bundle(chunk))
        except FhirError as error:
            raise MappingFailed([_finding([where], i, chunk) for i in error.issues]) from None


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
