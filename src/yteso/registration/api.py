"""The kiosk's JSON API (/api/kiosk/{MA_CSKCB}/…), called by the kiosk page's script.

Every route needs the facility's kiosk token (the kiosk cookie or `Authorization: Bearer`);
refusals are audited in their own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlalchemy.exc import IntegrityError

from yteso import facilities
from yteso.core.audit import record_refusal
from yteso.core.errors import DomainError, NotFound
from yteso.core.web.deps import AppSettings, Db, client_address, get_session_factory
from yteso.registration import devices, kiosk_flow, queues, tickets
from yteso.registration.schemas import (
    ConfirmOut,
    DepartmentQueueOut,
    IdentifyIn,
    RegisterIn,
    TicketIn,
    TicketOut,
)

router = APIRouter(prefix="/api/kiosk", tags=["registration"])


def facility_or_404(db: Db, code: str) -> facilities.FacilityOut:
    facility = facilities.recent_facility(db, code)
    if facility is None or not facility.active:
        raise NotFound(f"Không có cơ sở KCB mã {code} (hoặc cơ sở đã ngừng hoạt động)")
    return facility


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(devices.KIOSK_COOKIE)


def _kiosk_context(
    request: Request, db: Db, settings: AppSettings, code: str
) -> kiosk_flow.KioskContext:
    facility = facility_or_404(db, code)
    try:
        kiosk = devices.kiosk_principal(db, _token(request), code)
    except DomainError as error:
        record_refusal(
            get_session_factory(request), None, "kiosk", "Facility", code, error.message,
            client_address(request),
        )  # fmt: skip
        raise
    return kiosk_flow.KioskContext(
        kiosk, facility, settings, get_session_factory(request), client_address(request)
    )


Kiosk = Annotated[kiosk_flow.KioskContext, Depends(_kiosk_context, scope="function")]


@router.get("/{code}/departments", response_model=list[DepartmentQueueOut])
def departments(db: Db, kiosk: Kiosk) -> list[DepartmentQueueOut]:
    """Departments of the facility with people waiting and the estimated wait (minutes)."""
    return queues.queue_overview(db, kiosk.facility.code, kiosk_choices=True)


def _once_more_if_registered_meanwhile(db: Db, step: Callable[[], ConfirmOut]) -> ConfirmOut:
    """Two kiosks (or a double tap) registering the same new person at once: the second to
    write breaks a unique identifier or source record. Once the first has committed, the
    step run again in a new transaction finds the person instead."""
    try:
        return step()
    except IntegrityError:
        db.rollback()
        return step()


@router.post("/{code}/identify", response_model=ConfirmOut)
def identify(db: Db, kiosk: Kiosk, data: IdentifyIn) -> ConfirmOut:
    """A scanned CCCD QR string, or a typed CCCD or BHYT number → the confirm screen."""
    return _once_more_if_registered_meanwhile(db, lambda: kiosk_flow.identify(db, kiosk, data))


@router.post("/{code}/register", response_model=ConfirmOut)
def register(db: Db, kiosk: Kiosk, data: RegisterIn) -> ConfirmOut:
    """The short registration form of a person the typed number did not find."""
    return _once_more_if_registered_meanwhile(db, lambda: kiosk_flow.register(db, kiosk, data))


@router.post("/{code}/tickets", response_model=TicketOut)
def take_ticket(db: Db, kiosk: Kiosk, data: TicketIn) -> TicketOut:
    """The ticket (same request id or same person queued again → the same ticket)."""
    return tickets.take_ticket(db, kiosk, data)
