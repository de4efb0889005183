"""The rows of one import batch, made without the database (pure), so another process can
make them while this one writes the previous batch.

Every valid line becomes version 1 of its resource: id given when missing, facility tag and
source stamped, meta set, body serialised, compartment and search-index rows computed. The
writer decides which of them are in fact updates (ids already stored) and sends those
through the ordinary update instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from yteso.core.db import utcnow
from yteso.records import access
from yteso.records.indexing import IndexRows, compartment_patient, index_rows
from yteso.records.outcome import FhirError, Issue
from yteso.records.service import new_id
from yteso.records.validation import check_resource
from yteso.records.writes import meta_time, set_meta

# An NDJSON line's text, or a resource another module already holds as a dict (taken over:
# stamped and given its meta in place).
LineInput = bytes | str | dict[str, Any]
Line = tuple[int, LineInput]  # line number (from 1), input


@dataclass
class Prepared:
    """A batch's valid resources as rows, in line order, and its invalid lines' problems."""

    now: datetime
    stored_now: Any  # `now` as the rows carry it
    problems: list[Issue] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the line of each resource
    keys: list[tuple[str, str]] = field(default_factory=list)  # (type, id)
    patient_ids: list[str | None] = field(default_factory=list)  # compartment of each
    bodies: list[str] = field(default_factory=list)  # JSON text as stored
    # Each resource's index rows, dates made by `time_format` (the serial they belong to
    # is known once the resource is written).
    index: list[IndexRows] = field(default_factory=list)
    patients: list[dict[str, Any]] = field(default_factory=list)  # for the patient index


def prepare(
    batch: list[Line],
    facility: str,
    source: str | None,
    time_format: Callable[[datetime], Any] | None = None,
) -> Prepared:
    """The batch's rows, times made by `time_format` (repository.bulk_time_format)."""
    now = utcnow()
    prepared = Prepared(now, time_format(now) if time_format else now)
    for number, line in batch:
        resource = _parse(prepared.problems, number, line, facility)
        if resource is None or prepared.problems:
            continue  # nothing of the batch will be written: only look for more problems
        if not resource.get("id"):
            resource["id"] = new_id()
        res_type, res_id = resource["resourceType"], resource["id"]
        access.stamp(resource, facility, source)
        set_meta(resource, res_id, 1, prepared.now)
        try:
            rows = index_rows(resource)
        except ValueError as error:  # a malformed date
            prepared.problems.append(Issue("error", "value", str(error), f"dòng {number}"))
            continue
        if time_format and rows.dates:
            rows.dates = [(p, time_format(low), time_format(high)) for p, low, high in rows.dates]
        prepared.index.append(rows)
        prepared.numbers.append(number)
        prepared.keys.append((res_type, res_id))
        prepared.patient_ids.append(compartment_patient(resource))
        prepared.bodies.append(orjson.dumps(resource).decode())
        if res_type == "Patient":
            prepared.patients.append(resource)
    if prepared.problems:
        return Prepared(now, prepared.stored_now, prepared.problems)
    return prepared


def restamped(
    prepared: Prepared, now: datetime, time_format: Callable[[datetime], Any] | None
) -> tuple[Any, list[str]]:
    """The batch's time as its rows carry it, and its bodies, stamped `now` (when they are
    written) instead of when they were made: rows made ahead (by another process, or
    before the writer's turn) would otherwise carry a time earlier than writes committed
    before them, and a client reading changes since its last `_lastUpdated` would miss them.
    """
    if now <= prepared.now:
        return prepared.stored_now, prepared.bodies
    made, written = (f'"lastUpdated":"{meta_time(t)}"' for t in (prepared.now, now))
    bodies = [body.replace(made, written) for body in prepared.bodies]
    return (time_format(now) if time_format else now), bodies


def parse_line(line: LineInput) -> dict[str, Any]:
    """A line as a resource dict; raises orjson.JSONDecodeError or FhirError."""
    if isinstance(line, dict):
        check_resource(line)
        return line
    resource = orjson.loads(line)
    check_resource(resource, text=line)
    return dict(resource)


def _parse(
    problems: list[Issue], number: int, line: LineInput, facility: str
) -> dict[str, Any] | None:
    try:
        resource = parse_line(line)
    except orjson.JSONDecodeError as error:
        problems.append(
            Issue("error", "structure", f"JSON không hợp lệ: {error}", f"dòng {number}")
        )
        return None
    except FhirError as error:
        problems += [
            Issue(i.severity, i.code, i.diagnostics, f"dòng {number}: {i.expression or ''}")
            for i in error.issues
        ]
        return None
    owner = access.facility_of(resource)
    if owner is not None and owner != facility:
        problems.append(
            Issue(
                "error",
                "forbidden",
                f"dữ liệu của cơ sở {owner}, không phải {facility}",
                f"dòng {number}",
            )
        )
        return None
    return resource
