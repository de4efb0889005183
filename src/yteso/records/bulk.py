"""Bulk NDJSON load (back-filling years of history): one resource per line.

The whole file is ONE transaction: every line is validated, and if any line fails nothing
is written (the caller's unit of work rolls back) and the problems are listed by line.
Rows are written per batch with one executemany per table; a line whose id is already
stored becomes a new version of it (update), so a file can be loaded again safely.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from yteso.core.db import utcnow
from yteso.records import access, repository, service
from yteso.records.access import Caller
from yteso.records.outcome import FhirError, Issue
from yteso.records.person_link import link_people
from yteso.records.validation import check_resource
from yteso.records.writes import Pending

MAX_REPORTED = 100
# Statistics are refreshed after a load that adds at least this share of what the store
# held (PostgreSQL's autovacuum default): smaller loads barely move them.
STALE_SHARE = 0.1


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0


@dataclass
class _Load:
    session: Session
    caller: Caller
    facility: str
    result: ImportResult
    problems: list[Issue]
    batches: int = 0


def import_ndjson(
    session: Session,
    caller: Caller,
    lines: Iterable[bytes | str],
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Load every line or nothing (FhirError lists the failing lines)."""
    # Each batch makes ~100 000 short-lived containers without cycles: the cyclic
    # collector would rescan them over and over (about a third of the load time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _import(session, caller, lines, batch_size, progress)
    finally:
        if collecting:
            gc.enable()


def _import(
    session: Session,
    caller: Caller,
    lines: Iterable[bytes | str],
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> ImportResult:
    facility = access.check_write(caller, "import", {"resourceType": "Bundle"}, None)
    load = _Load(session, caller, facility, ImportResult(), [])
    repository.prepare_bulk_load(session)
    stored = repository.stored_count(session)
    batch: list[tuple[int, bytes | str]] = []
    for number, line in enumerate(lines, start=1):
        if line.strip():
            batch.append((number, line))
        if len(batch) >= batch_size:
            _load_batch(load, batch)
            load.batches += 1
            if load.batches == 1 and stored < batch_size and not load.problems:
                # A growing table planned as if empty turns the per-batch id lookup into
                # sequential scans.
                repository.refresh_id_statistics(session)
            if progress:
                progress(len(batch))
            batch = []
    _load_batch(load, batch)
    if progress and batch:
        progress(len(batch))
    if load.problems:
        raise FhirError(400, load.problems[:MAX_REPORTED])
    if load.result.created + load.result.updated >= stored * STALE_SHARE:
        repository.refresh_statistics(session)
    detail = f"nhập NDJSON: {load.result.created} mới, {load.result.updated} cập nhật"
    access.audit(session, caller, "import", "Bundle", caller.source, detail)
    return load.result


def _parse(load: _Load, number: int, line: bytes | str) -> dict[str, Any] | None:
    try:
        resource = orjson.loads(line)
        check_resource(resource, text=line)
    except orjson.JSONDecodeError as error:
        load.problems.append(
            Issue("error", "structure", f"JSON không hợp lệ: {error}", f"dòng {number}")
        )
        return None
    except FhirError as error:
        load.problems += [
            Issue(i.severity, i.code, i.diagnostics, f"dòng {number}: {i.expression or ''}")
            for i in error.issues
        ]
        return None
    owner = access.facility_of(resource)
    if owner is not None and owner != load.facility:
        load.problems.append(
            Issue(
                "error",
                "forbidden",
                f"dữ liệu của cơ sở {owner}, không phải {load.facility}",
                f"dòng {number}",
            )
        )
        return None
    return dict(resource)


def _load_batch(load: _Load, batch: list[tuple[int, bytes | str]]) -> None:
    resources = [r for n, line in batch if (r := _parse(load, n, line)) is not None]
    if load.problems or not resources:
        return  # nothing will be kept: just go on validating the rest of the file
    existing = _existing(load.session, resources)
    for resource in resources:
        if not resource.get("id"):
            resource["id"] = service.new_id()
    patients = [
        r
        for r in resources
        if r["resourceType"] == "Patient" and (r["resourceType"], r["id"]) not in existing
    ]
    people = link_people(load.session, patients)
    pending, seen, now = Pending(), set(), utcnow()
    for resource in resources:
        key = (resource["resourceType"], resource.get("id"))
        if key in existing or key in seen:
            pending.flush(load.session)
            service.update(load.session, load.caller, key[0], str(key[1]), resource)
            load.result.updated += 1
            continue
        service.queue_new(
            load.session, resource, load.facility, load.caller.source, pending, now, people
        )
        seen.add((resource["resourceType"], resource["id"]))
        load.result.created += 1
    pending.flush(load.session)


def _existing(session: Session, resources: list[dict[str, Any]]) -> set[tuple[str, Any]]:
    by_type: dict[str, list[str]] = {}
    for resource in resources:
        if resource.get("id"):
            by_type.setdefault(resource["resourceType"], []).append(resource["id"])
    found: set[tuple[str, Any]] = set()
    for res_type, ids in by_type.items():
        found |= {(res_type, i) for i in repository.existing_versions(session, res_type, ids)}
    return found
