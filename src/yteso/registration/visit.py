"""Opening the visit a ticket belongs to: the Encounter (status `arrived`) in the shared
record and, for an insured patient, the XML0 check-in for the insurance portal.

Takes the session first and never commits.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from yteso import records
from yteso.core.audit import record as audit_record
from yteso.core.auth import ClientKind, Principal
from yteso.facilities import FacilityOut
from yteso.patients import IdentifierKind, PersonOut
from yteso.registration.checkin import CheckIn, InvalidCheckIn, enqueue_checkin, ma_doituong_kcb
from yteso.registration.eligibility import Eligibility
from yteso.registration.identity import identifier_of

log = logging.getLogger("yteso.registration")

SID_BASE = "http://fhir.ehealth.gov.vn/core/sid/"
# MA_LK has no VN Core NamingSystem yet; this system is ours (unverified, kept in one place).
MA_LK_SYSTEM = "urn:yteso:qd130:ma_lk"
DEPARTMENT_SYSTEM = "urn:yteso:qd130:ma_khoa"
_GENDER = {1: "male", 2: "female", 3: "unknown"}


@dataclass(frozen=True)
class Visit:
    person: PersonOut
    facility: FacilityOut
    department_code: str
    department_name: str
    arrived_at: datetime
    eligibility: Eligibility | None


def _desk(kiosk: Principal) -> Principal:
    """The kiosk writes to the shared record as its facility's registration system.

    The record store lets a facility's HIS and its clinical staff write, not kiosks; the
    client id (what the audit trail names) stays the kiosk's own."""
    return Principal("client", kiosk.id, kiosk.name, ClientKind.HIS, kiosk.facility_code)


def ma_bn(facility_code: str, person_id: int) -> str:
    """The patient number (MA_BN) the kiosk gives a person at a facility."""
    return f"{facility_code}-{person_id}"


def _patient(person: PersonOut, facility_code: str) -> dict[str, Any]:
    identifiers = [{"system": SID_BASE + "patient-internal-id",
                    "value": ma_bn(facility_code, person.id)}]  # fmt: skip
    identifiers += [{"system": i.system, "value": i.value} for i in person.identifiers]
    given = [p for p in (person.middle_name, person.given_name) if p]
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "identifier": identifiers,
        "name": [{"text": person.full_name, "family": person.family_name, "given": given}],
        "gender": _GENDER.get(person.sex, "unknown"),
    }
    if person.birth_date is not None:
        patient["birthDate"] = person.birth_date.isoformat()
    return patient


def _encounter(visit: Visit, patient_id: str, ma_lk: str) -> dict[str, Any]:
    return {
        "resourceType": "Encounter",
        "identifier": [{"system": MA_LK_SYSTEM, "value": ma_lk}],
        "status": "arrived",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [
            {
                "coding": [
                    {
                        "system": DEPARTMENT_SYSTEM,
                        "code": visit.department_code,
                        "display": visit.department_name,
                    }
                ]
            }
        ],
        "subject": {"reference": f"Patient/{patient_id}"},
        "period": {"start": visit.arrived_at.isoformat()},
        "serviceProvider": {
            "identifier": {"system": SID_BASE + "facility", "value": visit.facility.code},
            "display": visit.facility.name,
        },
    }


def open_visit(
    session: Session,
    kiosk: Principal,
    factory: sessionmaker[Session] | None,
    address: str | None,
    visit: Visit,
) -> str:
    """Write the Patient (once per person and facility) and the Encounter; returns MA_LK."""
    caller = records.Caller(_desk(kiosk), factory, address, "kiosk")
    code = visit.facility.code
    local = f"{SID_BASE}patient-internal-id|{ma_bn(code, visit.person.id)}"
    _status, patient = records.create(
        session, caller, _patient(visit.person, code), if_none_exist=f"identifier={local}",
        person_id=visit.person.id,
    )  # fmt: skip
    ma_lk = uuid.uuid4().hex
    _status, encounter = records.create(session, caller, _encounter(visit, patient.res_id, ma_lk))
    if visit.eligibility and visit.eligibility.insured and visit.person.birth_date:
        _check_in(session, kiosk, visit, ma_lk)
    return encounter.res_id


def _check_in(session: Session, kiosk: Principal, visit: Visit, ma_lk: str) -> None:
    person, eligibility = visit.person, visit.eligibility
    assert eligibility is not None and person.birth_date is not None  # see open_visit
    check_in = CheckIn(
        ma_lk=ma_lk,
        ma_bn=ma_bn(visit.facility.code, person.id),
        ho_ten=person.full_name,
        birth_date=person.birth_date,
        birth_precision=person.birth_date_precision,  # type: ignore[arg-type]
        sex=person.sex,
        ma_cskcb=visit.facility.code,
        arrived_at=visit.arrived_at,
        ma_doituong_kcb=ma_doituong_kcb(eligibility),
        so_cccd=identifier_of(person, IdentifierKind.NATIONAL_ID),
        ma_the_bhyt=eligibility.card_number,
        ma_dkbd=eligibility.registered_facility,
        gt_the_tu=eligibility.valid_from,
        gt_the_den=eligibility.valid_to,
    )
    try:
        enqueue_checkin(session, check_in)
    except InvalidCheckIn as error:
        # The ticket is still issued; reception completes the check-in by hand.
        log.warning("check-in not queued", extra={"ma_lk": ma_lk, "reason": str(error)})
        audit_record(session, kiosk, "checkin", "Person", str(person.id), "failure", str(error))
