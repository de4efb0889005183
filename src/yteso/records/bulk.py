"""Bulk NDJSON load (back-filling years of history): one resource per line.

The whole file is ONE transaction: every line is validated, and if any line fails nothing
is written (the caller's unit of work rolls back) and the problems are listed by line.
Rows are made per batch (bulk_rows, pure: in a second process when asked) and written with
one executemany (COPY on PostgreSQL) per table; a line whose id is already stored becomes
a new version of it (update), so a file can be loaded again safely.

Another module holding its resources as dicts makes the rows first (`prepare_import`, no
statement run) and writes them later in its transaction (`import_prepared`): on SQLite,
where writers take turns from their first write, the CPU work then happens outside the turn.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from yteso.core.collector import cyclic_gc_paused
from yteso.core.db import utcnow
from yteso.records import access, bulk_statistics, repository, service
from yteso.records.access import Caller
from yteso.records.bulk_rows import Line, LineInput, Prepared, parse_line, prepare, restamped
from yteso.records.outcome import FhirError, Issue
from yteso.records.person_link import link_people
from yteso.records.writes import index_tuples

MAX_REPORTED = 100
# Statistics are refreshed after a load that adds at least this share of what the store
# held (PostgreSQL's autovacuum default): smaller loads barely move them.
STALE_SHARE = 0.1
# Batches a second process prepares ahead of the writes; bounds memory.
_AHEAD = 2


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


@dataclass
class _Load:
    session: Session
    caller: Caller
    facility: str
    result: ImportResult = field(default_factory=ImportResult)
    problems: list[Issue] = field(default_factory=list)
    # The persons of Patients the caller matched in the patient index itself (Patient id).
    people: Mapping[str, int] = field(default_factory=dict)
    # Creates audited per patient, as the transaction path does, besides the load's event.
    audit_per_patient: bool = False
    # Whether a load that changes a tenth of the store refreshes the planner's statistics
    # itself, before its commit.
    refreshes_statistics: bool = True


@dataclass(frozen=True)
class PreparedImport:
    """The rows of a whole load, made before its transaction's first write."""

    facility: str
    batch_size: int
    batches: list[tuple[list[Line], Prepared]]


def import_ndjson(
    session: Session,
    caller: Caller,
    lines: Iterable[bytes | str],
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
    processes: int = 0,
) -> ImportResult:
    """Load every line or nothing (FhirError lists the failing lines).

    `processes` (0 or 1): with 1, a second process parses, validates and indexes the next
    batch while this one writes, once the input has more than one batch. Meant for commands:
    a process forked from a server that runs threads may inherit locks those threads held."""
    # Each batch makes ~100 000 short-lived containers without cycles: the cyclic
    # collector would rescan them over and over (about a third of the load time).
    with cyclic_gc_paused():
        facility = access.check_write(caller, "import", {"resourceType": "Bundle"}, None)
        work = _Work(facility, caller.source, repository.bulk_time_format(session))
        batches = _prepared(_batches(lines, batch_size), work, processes)
        return _load(_Load(session, caller, facility), batch_size, batches, progress)


def prepare_import(
    session: Session, caller: Caller, resources: Iterable[dict[str, Any]], batch_size: int = 5000
) -> PreparedImport:
    """Rows for resources held as dicts, which are taken over (stamped, given their meta).
    No statement runs; problems are raised by `import_prepared`, listed by position from 1
    as `dòng n`, like lines."""
    facility = access.check_write(caller, "import", {"resourceType": "Bundle"}, None)
    work = _Work(facility, caller.source, repository.bulk_time_format(session))
    with cyclic_gc_paused():
        batches = [(batch, work(batch)) for batch in _batches(resources, batch_size)]
    return PreparedImport(facility, batch_size, batches)


def import_prepared(
    session: Session,
    caller: Caller,
    prepared: PreparedImport,
    people: Mapping[str, int] | None = None,
) -> ImportResult:
    """Write what `prepare_import` made for the same caller: every resource or nothing.
    Each patient whose resources it creates gets its audit event, as through the API.

    `people`: the person of each new Patient (by id) the caller has just matched in the
    patient index itself (claims), so that it is not linked a second time."""
    load = _Load(
        session,
        caller,
        prepared.facility,
        people=people or {},
        audit_per_patient=True,
        refreshes_statistics=not bulk_statistics.analyzed_in_background(session),
    )
    with cyclic_gc_paused():
        return _load(load, prepared.batch_size, iter(prepared.batches), None)


def _load(
    load: _Load,
    batch_size: int,
    batches: Iterator[tuple[list[Line], Prepared]],
    progress: Callable[[int], None] | None,
) -> ImportResult:
    session, caller = load.session, load.caller
    bulk_statistics.prepare_bulk_load(session)
    stored = bulk_statistics.stored_count(session)
    for count, (batch, prepared) in enumerate(batches, start=1):
        load.problems += prepared.problems
        if not load.problems:
            _write(load, batch, prepared)
        if count == 1 and len(batch) == batch_size and stored < batch_size and not load.problems:
            # A growing table planned as if empty turns the per-batch id lookup into
            # sequential scans.
            bulk_statistics.refresh_id_statistics(session)
        if progress:
            progress(len(batch))
    if load.problems:
        raise FhirError(400, load.problems[:MAX_REPORTED])
    changed = load.result.created + load.result.updated
    if load.refreshes_statistics and changed >= stored * STALE_SHARE:
        bulk_statistics.refresh_statistics(session)
    detail = f"nhập hàng loạt: {load.result.created} mới, {load.result.updated} cập nhật"
    access.audit(session, caller, "import", "Bundle", caller.source, detail)
    return load.result


def _batches(lines: Iterable[LineInput], size: int) -> Iterator[list[Line]]:
    """Non-blank lines with their numbers, `size` at a time."""
    numbered = (
        (n, line) for n, line in enumerate(lines, start=1) if isinstance(line, dict) or line.strip()
    )
    while batch := list(islice(numbered, size)):
        yield batch


@dataclass(frozen=True)
class _Work:
    """What prepare needs besides the lines."""

    facility: str
    source: str | None
    time_format: Callable[[datetime], Any] | None

    def __call__(self, batch: list[Line]) -> Prepared:
        return prepare(batch, self.facility, self.source, self.time_format)


def _prepared(
    batches: Iterator[list[Line]], work: _Work, processes: int
) -> Iterator[tuple[list[Line], Prepared]]:
    """Each batch with its rows; the second and later batches made in another process when
    asked, a few ahead of the writes."""
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    if processes < 1 or second is None:
        for batch in (first, second, *batches) if second else (first,):
            yield batch, work(batch)
        return
    with ProcessPoolExecutor(1, initializer=gc.disable) as pool:
        ahead: deque[tuple[list[Line], Future[Prepared]]] = deque()
        ahead.append((second, pool.submit(work, second)))
        yield first, work(first)
        for batch in batches:
            ahead.append((batch, pool.submit(work, batch)))
            if len(ahead) > _AHEAD:
                done, future = ahead.popleft()
                yield done, future.result()
        while ahead:
            done, future = ahead.popleft()
            yield done, future.result()


def _write(load: _Load, batch: list[Line], prepared: Prepared) -> None:
    """Write the batch: new resources in bulk, then the ones already stored (or met earlier
    in the batch) as updates, in line order."""
    session = load.session
    existing = set(repository.serials_of(session, prepared.keys))
    updates = _updates(prepared.keys, existing)
    fresh = [p for p in prepared.patients if ("Patient", p["id"]) not in existing]
    people = {p["id"]: load.people[p["id"]] for p in fresh if p["id"] in load.people}
    people.update(link_people(session, [p for p in fresh if p["id"] not in people]))
    now, bodies = restamped(prepared, utcnow(), repository.bulk_time_format(session))
    current, history = [], []
    updating = set(updates)
    for position, (res_type, res_id) in enumerate(prepared.keys):
        if position in updating:
            continue
        body = bodies[position]
        person = people.get(res_id) if res_type == "Patient" else None
        patient = prepared.patient_ids[position]
        current.append((res_type, res_id, 1, now, False, patient, person, body))
        history.append((res_type, res_id, 1, now, "POST", None))  # body: records.versions
    serials = iter(repository.insert_new_versions(session, current, history))
    owned = (
        (next(serials), key[0], prepared.index[position])
        for position, key in enumerate(prepared.keys)
        if position not in updating
    )
    repository.insert_index_rows(session, index_tuples(owned), times_ready=True)
    load.result.created += len(current)
    if load.audit_per_patient:
        created = [(row[0], row[1], row[5]) for row in current]
        access.audit_found(session, load.caller, "create", created)
    _write_updates(load, dict(batch), prepared, updates)


def _write_updates(
    load: _Load, lines: dict[int, LineInput], prepared: Prepared, updates: list[int]
) -> None:
    """The resources already stored, one version each; a refusal names its line."""
    replaced = []
    for position in updates:
        res_type, res_id = prepared.keys[position]
        number = prepared.numbers[position]
        resource = parse_line(lines[number])
        try:
            service.update(
                load.session,
                load.caller,
                res_type,
                res_id,
                resource,
                audited=not load.audit_per_patient,
            )
        except FhirError as error:
            raise FhirError(error.status, [_on_line(i, number) for i in error.issues]) from None
        replaced.append((res_type, res_id, prepared.patient_ids[position]))
        load.result.updated += 1
    if load.audit_per_patient and replaced:
        access.audit_found(load.session, load.caller, "update", replaced)


def _on_line(issue: Issue, number: int) -> Issue:
    where = f"dòng {number}: {issue.expression or ''}"
    return Issue(issue.severity, issue.code, issue.diagnostics, where)


def _updates(keys: list[tuple[str, str]], existing: set[tuple[str, str]]) -> list[int]:
    """Positions of the resources already stored or met earlier in the batch."""
    seen: set[tuple[str, str]] = set()
    updates = []
    for position, key in enumerate(keys):
        if key in existing or key in seen:
            updates.append(position)
        seen.add(key)
    return updates
