"""The counter's JSON API: call next, recall, skip, transfer, complete.

For logged-in reception and clinical staff of the facility. The ticket just called shows
the patient's full name (audited); queue lists show masked names only.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from yteso import patients
from yteso.core.audit import record as audit_record
from yteso.core.audit import record_refusal
from yteso.core.auth import Principal
from yteso.core.errors import DomainError
from yteso.core.web.deps import CurrentPrincipal, Db, client_address, get_session_factory
from yteso.registration import devices, identity, queues, repository
from yteso.registration.api import facility_or_404
from yteso.registration.models import QueueTicket
from yteso.registration.schemas import CallNextIn, CounterTicketOut, QueueViewOut, TransferIn

router = APIRouter(prefix="/api/kiosk", tags=["registration"])


def require_staff(request: Request, db: Db, principal: Principal, code: str) -> None:
    """Reception or clinical staff of this facility; refusals are audited."""
    facility_or_404(db, code)
    try:
        devices.require_counter_staff(principal, code)
    except DomainError as error:
        record_refusal(
            get_session_factory(request), principal, "counter", "Facility", code,
            error.message, client_address(request),
        )  # fmt: skip
        raise


def _counter_ticket(
    db: Db, ticket: QueueTicket, full: bool, principal: Principal | None = None,
    address: str | None = None,
) -> CounterTicketOut:  # fmt: skip
    person = patients.get_person(db, ticket.person_id)
    if full:
        audit_record(
            db, principal, "counter.call", "Person", str(person.id), "success",
            f"ticket {ticket.id}", address,
        )  # fmt: skip
    base = queues.ticket_out(db, ticket).model_dump()
    return CounterTicketOut(
        **base,
        name=person.full_name if full else identity.masked_name(person.full_name),
        birth_year=person.birth_date.year if person.birth_date else None,
        insured=ticket.insured,
    )


@router.get("/{code}/counter/queue", response_model=QueueViewOut)
def queue_view(
    request: Request, db: Db, principal: CurrentPrincipal, code: str, department: str
) -> QueueViewOut:
    """Called and waiting tickets of one department today, in calling order."""
    require_staff(request, db, principal, code)
    overview = {d.code: d for d in queues.queue_overview(db, code)}
    queues.department_name(db, code, department)
    day = queues.service_day()
    called = repository.tickets_in_queue(db, code, department, day, ("called",))
    waiting = repository.tickets_in_queue(db, code, department, day, ("waiting",))
    return QueueViewOut(
        department=overview[department],
        called=[_counter_ticket(db, t, False) for t in called],
        waiting=[_counter_ticket(db, t, False) for t in waiting],
    )


@router.post("/{code}/counter/call-next", response_model=CounterTicketOut)
def call_next(
    request: Request, db: Db, principal: CurrentPrincipal, code: str, data: CallNextIn
) -> Response | CounterTicketOut:
    """The next ticket (priority first, then by number); 204 when nobody is waiting."""
    require_staff(request, db, principal, code)
    ticket = queues.call_next(db, code, data.department_code, data.counter)
    if ticket is None:
        return Response(status_code=204)
    return _counter_ticket(db, ticket, True, principal, client_address(request))


@router.post("/{code}/counter/tickets/{ticket_id}/recall", response_model=CounterTicketOut)
def recall(
    request: Request, db: Db, principal: CurrentPrincipal, code: str, ticket_id: int
) -> CounterTicketOut:
    require_staff(request, db, principal, code)
    ticket = queues.recall(db, code, ticket_id)
    return _counter_ticket(db, ticket, True, principal, client_address(request))


@router.post("/{code}/counter/tickets/{ticket_id}/skip", response_model=CounterTicketOut)
def skip(
    request: Request, db: Db, principal: CurrentPrincipal, code: str, ticket_id: int
) -> CounterTicketOut:
    """The patient did not come (no-show)."""
    require_staff(request, db, principal, code)
    return _counter_ticket(db, queues.skip(db, code, ticket_id), False)


@router.post("/{code}/counter/tickets/{ticket_id}/complete", response_model=CounterTicketOut)
def complete(
    request: Request, db: Db, principal: CurrentPrincipal, code: str, ticket_id: int
) -> CounterTicketOut:
    require_staff(request, db, principal, code)
    return _counter_ticket(db, queues.complete(db, code, ticket_id), False)


@router.post("/{code}/counter/tickets/{ticket_id}/transfer", response_model=CounterTicketOut)
def transfer(
    request: Request,
    db: Db,
    principal: CurrentPrincipal,
    code: str,
    ticket_id: int,
    data: TransferIn,
) -> CounterTicketOut:
    """Queue the same visit in another department; returns the new ticket."""
    require_staff(request, db, principal, code)
    moved = queues.transfer(db, code, ticket_id, data.department_code)
    return _counter_ticket(db, moved, False)
