"""Search and $everything as use cases: run, add includes, check the caller, audit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from yteso.records import access, repository, responses, search
from yteso.records.access import Caller
from yteso.records.outcome import fail


def run_search(
    session: Session,
    caller: Caller,
    base: str,
    res_type: str,
    pairs: Sequence[tuple[str, str]],
    strict: bool,
) -> dict[str, Any]:
    access.check_read(caller, "search", res_type)
    request = search.parse(res_type, pairs, strict)
    if request.summary_count:
        total = repository.scalar(session, search.compile_count(session, request))
        return {"resourceType": "Bundle", "type": "searchset", "total": total}
    rows = repository.fetch(session, search.compile_page(session, request))
    has_next = len(rows) > request.count
    rows = rows[: request.count]
    entries = [responses.entry(base, t, i, body, "match") for t, i, _p, body in rows]
    found = [(t, i, p) for t, i, p, _body in rows]
    included = _included(session, caller, request, [r[1] for r in rows])
    entries += [responses.entry(base, t, i, body, "include") for t, i, body in included]
    found += [(t, i, None) for t, i, _body in included]
    total = None
    if not has_next and (rows or request.offset == 0):
        total = request.offset + len(rows)
    elif request.total_accurate:
        total = repository.scalar(session, search.compile_count(session, request))
    access.audit_found(session, caller, "search", found)
    page = (request.offset, request.count, has_next)
    return responses.searchset(base, res_type, request.echo, page, entries, total, request.warnings)


def _included(
    session: Session, caller: Caller, request: search.SearchRequest, ids: list[str]
) -> list[tuple[str, str, str]]:
    if not ids:
        return []
    keys: list[tuple[str, str]] = []
    for param, target in request.includes:
        refs = repository.references_from(session, request.res_type, ids, param)
        keys += [r for r in refs if not target or r[0] == target]
    for source_type, param in request.revincludes:
        targets = [(request.res_type, i) for i in ids]
        keys += repository.references_to(session, source_type, param, targets)
    for res_type in {k[0] for k in keys}:
        access.check_read(caller, "search", res_type)
    matched = {(request.res_type, i) for i in ids}
    return [row for row in repository.bodies(session, keys) if (row[0], row[1]) not in matched]


def everything(
    session: Session,
    caller: Caller,
    base: str,
    patient_id: str,
    since: datetime | None,
    window: tuple[datetime, datetime] | None,
) -> dict[str, Any]:
    """The patient's whole record across facilities: every Patient resource of the same
    person (from the patient index link) and everything in their compartments."""
    access.check_read(caller, "everything", "Patient", patient_id)
    current = repository.get_current(session, "Patient", patient_id)
    if current is None or current.deleted:
        raise fail(404, "not-found", f"Không có Patient/{patient_id}")
    patients = [patient_id]
    if current.person_id is not None:
        patients = sorted(
            set(patients) | set(repository.patients_of_people(session, [current.person_id]))
        )
    rows = repository.compartment(session, patients, since, window)
    for pid in patients:
        access.audit(session, caller, "everything", "Patient", pid)
    entries = [responses.entry(base, t, i, body, "match") for t, i, body in rows]
    return {"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries}
