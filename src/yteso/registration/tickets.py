"""The kiosk's last step: the ticket, with the visit opened behind it.

Takes the session first and never commits. A second submit (the same request id, the same
interaction, or the same person still queued in the same department today) returns the
ticket already issued instead of a new one.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from yteso import patients
from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.registration import queues, repository
from yteso.registration.kiosk_flow import KioskContext, load_interaction, thaw
from yteso.registration.models import QueueTicket
from yteso.registration.qr import ticket_with_qr
from yteso.registration.schemas import TicketIn, TicketOut
from yteso.registration.visit import Visit, open_visit


def _already_issued(
    session: Session, context: KioskContext, data: TicketIn, ticket_id: int | None,
    person_id: int,
) -> QueueTicket | None:  # fmt: skip
    code = context.facility.code
    found = repository.ticket_by_request(session, code, data.request_id)
    if found is None and ticket_id is not None:
        found = repository.ticket(session, ticket_id)
    if found is None:
        found = repository.open_ticket_of(session, code, person_id, queues.service_day())
        if found is not None and found.department_code != data.department_code:
            found = None
    return found


def take_ticket(session: Session, context: KioskContext, data: TicketIn) -> TicketOut:
    row = load_interaction(session, context, data.token)
    if row.person_id is None:
        raise Conflict("Chưa xác định được người bệnh: vui lòng hoàn tất bước đăng ký.")
    person_id = row.person_id
    existing = _already_issued(session, context, data, row.ticket_id, person_id)
    if existing is not None:
        context.audit(session, "kiosk.ticket", person_id, f"repeat ticket {existing.id}")
        return ticket_with_qr(session, existing)
    code = context.facility.code
    choices = queues.departments_of(context.facility, kiosk_choices=True)
    if data.department_code not in choices:
        raise NotFound(f"Khoa {data.department_code} không nhận đăng ký tại ki-ốt này")
    name = choices[data.department_code]
    eligibility = thaw(row.snapshot)
    priority = data.claimed_priority or row.snapshot.get("priority") or "none"
    visit = Visit(
        patients.get_person(session, person_id), context.facility, data.department_code,
        name, utcnow(), eligibility,
    )  # fmt: skip
    encounter_id = open_visit(session, context.kiosk, context.factory, context.address, visit)
    ticket = queues.issue(
        session,
        queues.NewTicket(
            code, data.department_code, person_id, priority, encounter_id, data.request_id,
            bool(eligibility and eligibility.insured),
        ),
    )  # fmt: skip
    repository.link_interaction_ticket(session, row.token_hash, ticket.id)
    context.audit(session, "kiosk.ticket", person_id, f"ticket {ticket.id} {priority}")
    return ticket_with_qr(session, ticket, name)
