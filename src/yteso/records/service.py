"""FHIR interactions on the store: read, vread, create, update, delete, history.

Takes the session first and never commits. Every call checks the caller and writes an
audit event (refusals in their own transaction).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from yteso.core.db import utcnow
from yteso.core.text import is_digits
from yteso.records import access, repository, search, versions
from yteso.records.access import Caller
from yteso.records.indexing import compartment_patient
from yteso.records.outcome import fail
from yteso.records.person_link import link_person
from yteso.records.validation import check_resource
from yteso.records.writes import Pending, Stored, current_row, set_meta


def new_id() -> str:
    return str(uuid.uuid4())


def read(session: Session, caller: Caller, res_type: str, res_id: str) -> Stored:
    access.check_read(caller, "read", res_type, res_id)
    current = repository.get_current(session, res_type, res_id)
    if current is None:
        raise fail(404, "not-found", f"Không có {res_type}/{res_id}")
    if current.deleted:
        raise fail(410, "deleted", f"{res_type}/{res_id} đã bị xóa")
    access.audit(session, caller, "read", res_type, res_id)
    return Stored(res_type, res_id, current.version, current.last_updated, current.body)


def vread(session: Session, caller: Caller, res_type: str, res_id: str, version: int) -> Stored:
    access.check_read(caller, "vread", res_type, res_id)
    row = versions.get_version(session, res_type, res_id, version)
    if row is None:
        raise fail(404, "not-found", f"Không có {res_type}/{res_id} phiên bản {version}")
    if row[2] == "DELETE":
        raise fail(410, "deleted", f"{res_type}/{res_id} phiên bản {version} là bản xóa")
    access.audit(session, caller, "vread", res_type, res_id)
    return Stored(res_type, res_id, row[0], row[1], row[3])


def parse_body(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise fail(400, "structure", f"JSON không hợp lệ: {error}") from None


def _person(session: Session, resource: dict[str, Any], facility: str) -> int | None:
    return (
        link_person(session, resource, facility) if resource["resourceType"] == "Patient" else None
    )


def write_new(
    session: Session,
    caller: Caller,
    resource: dict[str, Any],
    pending: Pending,
    written: list[tuple[str, str, str | None]] | None = None,
    validated: bool = False,
    people: dict[str, int] | None = None,
) -> Stored:
    """Validate (unless the caller just did), authorise and queue a new resource (version 1)
    on `pending`. Audited here, or appended to `written` for the caller to audit together."""
    if not validated:
        check_resource(resource)
    facility = access.check_write(caller, "create", resource, None)
    stored = queue_new(session, resource, facility, caller.source, pending, utcnow(), people)
    if written is None:
        access.audit(session, caller, "create", stored.res_type, stored.res_id)
    else:
        written.append((stored.res_type, stored.res_id, compartment_patient(resource)))
    return stored


def queue_new(
    session: Session,
    resource: dict[str, Any],
    facility: str,
    source: str | None,
    pending: Pending,
    now: datetime,
    people: dict[str, int] | None = None,
) -> Stored:
    """Stamp and queue an already validated and authorised resource as version 1.

    `people`: Patient id -> person id when the caller linked a batch (link_people)."""
    if not resource.get("id"):
        resource["id"] = new_id()
    access.stamp(resource, facility, source)
    set_meta(resource, resource["id"], 1, now)
    person = _person(session, resource, facility) if people is None else people.get(resource["id"])
    row = current_row(resource, 1, now, person)
    pending.current.append(row)
    pending.add_history(row, "POST")
    pending.add_index(resource)
    return Stored(row["res_type"], row["res_id"], 1, now, row["resource"])


def create(
    session: Session,
    caller: Caller,
    resource: Any,
    if_none_exist: str | None = None,
    keep_id: bool = False,
    person_id: int | None = None,
) -> tuple[int, Stored]:
    """POST: 201 with the new resource, or 200 with the one If-None-Exist already matches.

    `person_id`: for a Patient the caller has just matched in the patient index itself (the
    kiosk), the person it is, so that it is not matched a second time."""
    if isinstance(resource, dict) and resource.get("resourceType") and if_none_exist:
        found = search.matching_ids(session, resource["resourceType"], if_none_exist)
        if len(found) > 1:
            raise fail(412, "duplicate", f"If-None-Exist khớp {len(found)} tài nguyên")
        if found:
            return 200, read(session, caller, resource["resourceType"], found[0])
    if isinstance(resource, dict) and not keep_id:
        resource.pop("id", None)  # the server assigns ids on create
    people = None
    if isinstance(resource, dict) and person_id is not None:
        resource["id"] = resource.get("id") or new_id()
        people = {resource["id"]: person_id}
    pending = Pending()
    stored = write_new(session, caller, resource, pending, people=people)
    pending.flush(session)
    return 201, stored


def _expected_version(if_match: str | None) -> int | None:
    if not if_match:
        return None
    digits = if_match.removeprefix("W/").strip('"')
    if not is_digits(digits):
        raise fail(400, "invalid", f'If-Match phải có dạng W/"<phiên bản>" (nhận {if_match!r})')
    return int(digits)


def stored_bodies(
    session: Session, keys: list[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The current bodies of the stored, not deleted, resources among `keys`: for a writer
    reconciling what it wrote before in the same unit of work. Not audited: the caller
    writes these resources again and is audited for that."""
    wanted: dict[str, list[str]] = {}
    for res_type, res_id in keys:
        wanted.setdefault(res_type, []).append(res_id)
    current = repository.get_current_many(session, wanted)
    return {key: orjson.loads(c.body) for key, c in current.items() if not c.deleted}


def check_put(res_type: str, res_id: str, resource: Any) -> None:
    """The body of a PUT names the resource of its URL and is valid."""
    if isinstance(resource, dict) and resource.get("id") != res_id:
        raise fail(
            400,
            "invalid",
            f"id trong nội dung ({resource.get('id')!r}) phải là {res_id}",
            f"{res_type}.id",
        )
    check_resource(resource, res_type)


def update(
    session: Session,
    caller: Caller,
    res_type: str,
    res_id: str,
    resource: Any,
    if_match: str | None = None,
    *,
    audited: bool = True,
) -> tuple[int, Stored]:
    """PUT: 200 with the new version, or 201 when the id is new (client-assigned ids).
    `audited=False`: the caller audits the replaced version (a bulk load, per patient)."""
    check_put(res_type, res_id, resource)
    expected = _expected_version(if_match)
    current = repository.get_current(session, res_type, res_id)
    if current is None:
        if expected is not None:
            raise fail(412, "conflict", f"{res_type}/{res_id} chưa tồn tại, không khớp If-Match")
        pending = Pending()
        stored = write_new(session, caller, resource, pending, validated=True)
        pending.flush(session)
        return 201, stored
    if expected is not None and expected != current.version:
        raise fail(
            412, "conflict", f"Phiên bản hiện tại là {current.version}, If-Match yêu cầu {expected}"
        )
    pending = Pending()
    stored = queue_replace(session, caller, resource, current, pending)
    pending.flush(session)
    if audited:
        access.audit(session, caller, "update", stored.res_type, stored.res_id)
    return 200, stored


def queue_replace(
    session: Session,
    caller: Caller,
    resource: dict[str, Any],
    current: repository.Current,
    pending: Pending,
) -> Stored:
    """Authorise and write the next version of a validated resource; its history and index
    rows wait on `pending`. Not audited here."""
    owner = access.facility_of(orjson.loads(current.body))
    facility = access.check_write(caller, "update", resource, owner)
    now, version = utcnow(), current.version + 1
    access.stamp(resource, facility, caller.source)
    set_meta(resource, resource["id"], version, now)
    row = current_row(resource, version, now, _person(session, resource, facility))
    versions.keep_superseded(session, row["res_type"], row["res_id"], current.version)
    if not repository.update_current(session, row, current.version):
        raise fail(409, "conflict", "Tài nguyên vừa được ghi bởi yêu cầu khác; đọc lại rồi thử lại")
    pending.serials[(row["res_type"], row["res_id"])] = current.serial
    pending.add_history(row, "PUT")
    pending.add_index(resource)
    return Stored(row["res_type"], row["res_id"], version, now, row["resource"])


def conditional_update(
    session: Session,
    caller: Caller,
    res_type: str,
    query: Mapping[str, str] | str | Sequence[tuple[str, str]],
    resource: Any,
) -> tuple[int, Stored]:
    """PUT Type?identifier=…: update the one match, create when none, 412 when several."""
    found = search.matching_ids(session, res_type, query)
    if len(found) > 1:
        raise fail(412, "multiple-matches", f"Điều kiện khớp {len(found)} tài nguyên")
    if not isinstance(resource, dict):
        check_resource(resource, res_type)
    if found:
        resource.setdefault("id", found[0])
        return update(session, caller, res_type, found[0], resource)
    resource.pop("id", None)
    pending = Pending()
    stored = write_new(session, caller, resource, pending)
    pending.flush(session)
    return 201, stored


def delete(session: Session, caller: Caller, res_type: str, res_id: str) -> None:
    """Logical delete: a new version marked deleted; history keeps every earlier one."""
    current = repository.get_current(session, res_type, res_id)
    if current is None or current.deleted:
        access.check_read(caller, "delete", res_type, res_id)
        return  # deleting what is not there succeeds (idempotent)
    body = orjson.loads(current.body)
    access.check_write(
        caller, "delete", {"resourceType": res_type, "id": res_id}, access.facility_of(body)
    )
    now, version = utcnow(), current.version + 1
    row = {
        "res_type": res_type,
        "res_id": res_id,
        "version": version,
        "last_updated": now,
        "deleted": True,
        "patient_id": current.patient_id,
        "person_id": current.person_id,
        "resource": current.body,
    }
    versions.keep_superseded(session, res_type, res_id, current.version)
    if not repository.update_current(session, row, current.version):
        raise fail(409, "conflict", "Tài nguyên vừa được ghi bởi yêu cầu khác")
    pending = Pending(serials={(res_type, res_id): current.serial})
    pending.add_history(row, "DELETE")
    pending.flush(session)
    access.audit(session, caller, "delete", res_type, res_id)


def history(
    session: Session,
    caller: Caller,
    res_type: str,
    res_id: str | None,
    since: datetime | None,
    count: int,
    offset: int,
) -> list[Any]:
    access.check_read(caller, "history", res_type, res_id)
    rows = versions.history(session, res_type, res_id, since, count, offset)
    for row in rows:
        access.audit(session, caller, "history", row[0], row[1])
    return rows
