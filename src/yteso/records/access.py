"""Who may read and write what in the shared record, and the audit trail of it.

Rule for writes: a resource belongs to the facility named by its meta.tag with system
http://fhir.ehealth.gov.vn/core/facility. The store stamps the writer's facility there; a
writer may not tag another facility, nor change or delete a resource tagged by another one.
Writers: facility HIS clients and clinical/reception staff of a facility.
Reads of anything in a patient compartment (and Patient itself) need a clinical role:
staff clinician or receptionist, or a HIS client. Directory types (Organization,
Practitioner, Location …) are readable by any signed-in principal.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from yteso.core.audit import event_row, record, record_many, record_refusal
from yteso.core.auth import ClientKind, Principal, Role
from yteso.records.definitions import COMPARTMENT, FACILITY_TAG_SYSTEM
from yteso.records.outcome import fail

_CLINICAL_STAFF = frozenset({Role.CLINICIAN, Role.RECEPTIONIST})
_CLINICAL_CLIENTS = frozenset({ClientKind.HIS})


@dataclass(frozen=True)
class Caller:
    """The principal of a request, with what is needed to audit and refuse."""

    principal: Principal
    factory: sessionmaker[Session] | None
    address: str | None = None
    source: str | None = None  # the inbound document (meta.source) for provenance


def in_compartment(res_type: str) -> bool:
    return res_type == "Patient" or COMPARTMENT.get(res_type) is not None


def _clinical(principal: Principal) -> bool:
    if principal.kind == "client":
        return principal.role in _CLINICAL_CLIENTS
    return principal.role in _CLINICAL_STAFF


def refuse(caller: Caller, action: str, res_type: str, res_id: str | None, why: str) -> None:
    if caller.factory is not None:
        record_refusal(
            caller.factory, caller.principal, action, res_type, res_id, why, caller.address
        )
    raise fail(403, "forbidden", why)


def read_refusal(principal: Principal, res_type: str) -> str | None:
    """Why the principal may not read resources of this type; None when it may."""
    if in_compartment(res_type) and not _clinical(principal):
        return f"vai trò '{principal.role}' không được xem hồ sơ sức khỏe của người bệnh"
    return None


def check_read(caller: Caller, action: str, res_type: str, res_id: str | None = None) -> None:
    why = read_refusal(caller.principal, res_type)
    if why is not None:
        refuse(caller, action, res_type, res_id, why)


def facility_of(resource: dict[str, Any]) -> str | None:
    for tag in (resource.get("meta") or {}).get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == FACILITY_TAG_SYSTEM:
            return str(tag.get("code"))
    return None


def check_write(caller: Caller, action: str, resource: dict[str, Any], owner: str | None) -> str:
    """The facility the write is made for; refuses writes for another facility's data."""
    principal = caller.principal
    res_type, res_id = resource.get("resourceType", "?"), resource.get("id")
    if not _clinical(principal) or principal.facility_code is None:
        refuse(
            caller,
            action,
            res_type,
            res_id,
            f"vai trò '{principal.role}' không được ghi hồ sơ; cần HIS của cơ sở "
            "hoặc nhân viên lâm sàng/tiếp đón của cơ sở",
        )
    facility = str(principal.facility_code)
    tagged = facility_of(resource)
    for claimed in (tagged, owner):
        if claimed is not None and claimed != facility:
            refuse(
                caller,
                action,
                res_type,
                res_id,
                f"cơ sở {facility} không được ghi dữ liệu thuộc cơ sở {claimed}",
            )
    return facility


def stamp(resource: dict[str, Any], facility: str, source: str | None) -> None:
    """Provenance on the resource itself: the facility tag and the inbound document."""
    meta = resource.setdefault("meta", {})
    if facility_of(resource) is None:
        meta.setdefault("tag", []).append({"system": FACILITY_TAG_SYSTEM, "code": facility})
    if source and "source" not in meta:
        meta["source"] = source


def audit(
    session: Session,
    caller: Caller,
    action: str,
    res_type: str,
    res_id: str | None,
    detail: str | None = None,
) -> None:
    record(session, caller.principal, action, res_type, res_id, "success", detail, caller.address)


def audit_found(
    session: Session, caller: Caller, action: str, found: list[tuple[str, str, str | None]]
) -> None:
    """Events per patient whose data was read or written, naming the resources in detail
    (several events when the names do not fit one detail of 500 characters)."""
    by_patient: dict[str | None, list[str]] = defaultdict(list)
    for res_type, res_id, patient_id in found:
        by_patient[patient_id].append(f"{res_type}/{res_id}")
    principal, address = caller.principal, caller.address
    rows = [
        event_row(principal, action, "Patient" if p else "Bundle", p, "success", detail, address)
        for p, names in by_patient.items()
        for detail in _chunks(names, 500)
    ]
    record_many(session, rows)


def _chunks(names: list[str], limit: int) -> list[str]:
    chunks: list[str] = []
    for name in names:
        if chunks and len(chunks[-1]) + len(name) + 2 <= limit:
            chunks[-1] += ", " + name
        else:
            chunks.append(name)
    return chunks
