"""Queue tickets: issue, call next, recall, skip, transfer, complete.

Takes the session first and never commits. Numbers come from `repository.next_number`
(unique and gap-free per facility, department and Vietnam day).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.orm import Session

from yteso import facilities
from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.facilities import FacilityOut
from yteso.registration import repository, waits
from yteso.registration.models import QueueTicket
from yteso.registration.schemas import (
    PRIORITY_LABELS_VI,
    STATUS_LABELS_VI,
    DepartmentQueueOut,
    TicketOut,
)

# Vietnam keeps UTC+7 all year (no daylight saving).
VIETNAM = timezone(timedelta(hours=7), "ICT")


def service_day(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(VIETNAM).date()


@dataclass(frozen=True)
class NewTicket:
    facility_code: str
    department_code: str
    person_id: int
    priority: str
    encounter_id: str | None
    request_id: str | None
    insured: bool


# Departments a patient does not pick at a kiosk: emergency (patients go straight in) and
# the para-clinical and support departments an examination room sends people to. Codes of
# the common MA_KHOA list as the registry uses them (unverified against QĐ 5937's annex).
NOT_AT_KIOSK = frozenset(
    {"K02", "K26", "K32", "K34", "K36", "K37", "K38", "K39", "K40", "K41", "K42", "K43",
     "K44", "K45", "K46", "K47"}
)  # fmt: skip


def departments(
    session: Session, facility_code: str, kiosk_choices: bool = False
) -> dict[str, str]:
    """MA_KHOA → name of the facility's departments, the examination department first.

    `kiosk_choices`: only those a patient may choose at the kiosk (all of them if that
    would leave none)."""
    facility = facilities.recent_facility(session, facility_code)
    if facility is None:
        raise NotFound(f"Không có cơ sở KCB mã {facility_code}")
    return departments_of(facility, kiosk_choices)


def departments_of(facility: FacilityOut, kiosk_choices: bool = False) -> dict[str, str]:
    ordered = sorted(facility.departments, key=lambda d: (d.code != "K01", d.code))
    if kiosk_choices:
        ordered = [d for d in ordered if d.code not in NOT_AT_KIOSK] or ordered
    return {d.code: d.name for d in ordered}


def department_name(session: Session, facility_code: str, department_code: str) -> str:
    names = departments(session, facility_code)
    if department_code not in names:
        raise NotFound(f"Cơ sở {facility_code} không có khoa mã {department_code}")
    return names[department_code]


def issue(session: Session, new: NewTicket, now: datetime | None = None) -> QueueTicket:
    """Take the next number last, so the counter row stays locked as briefly as possible."""
    now = now or utcnow()
    day = service_day(now)
    number = repository.next_number(session, new.facility_code, new.department_code, day)
    ticket = QueueTicket(
        facility_code=new.facility_code,
        department_code=new.department_code,
        service_day=day,
        number=number,
        priority=new.priority,
        person_id=new.person_id,
        status="waiting",
        issued_at=now,
        call_count=0,
        encounter_id=new.encounter_id,
        request_id=new.request_id,
        insured=new.insured,
    )
    session.add(ticket)
    session.flush()
    return ticket


def queue_overview(
    session: Session, facility_code: str, now: datetime | None = None, kiosk_choices: bool = False
) -> list[DepartmentQueueOut]:
    now = now or utcnow()
    day = service_day(now)
    counts = repository.waiting_counts(session, facility_code, day)
    rates = waits.service_rates(session, facility_code, day, now)
    overview = []
    for code, name in departments(session, facility_code, kiosk_choices).items():
        rate = rates.get(code, waits.default_rate())
        waiting = counts.get(code, 0)
        overview.append(
            DepartmentQueueOut(
                code=code,
                name=name,
                waiting=waiting,
                service_minutes=rate.service_minutes,
                measured=rate.measured,
                estimated_wait_minutes=rate.wait_minutes(waiting),
            )
        )
    return overview


def display_number(ticket: QueueTicket) -> str:
    return f"{ticket.department_code}-{ticket.number:03d}"


def ticket_out(
    session: Session, ticket: QueueTicket, now: datetime | None = None, name: str | None = None
) -> TicketOut:
    """`name`: the department's name when the caller has it (saves a registry read)."""
    now = now or utcnow()
    name = name or department_name(session, ticket.facility_code, ticket.department_code)
    ahead = repository.waiting_ahead(session, ticket) if ticket.status == "waiting" else 0
    rate = waits.service_rate(
        session, ticket.facility_code, ticket.department_code, ticket.service_day, now
    )
    wait = rate.wait_minutes(ahead)
    return TicketOut(
        id=ticket.id,
        facility_code=ticket.facility_code,
        department_code=ticket.department_code,
        department_name=name,
        service_day=ticket.service_day,
        number=ticket.number,
        display_number=display_number(ticket),
        priority=ticket.priority,  # type: ignore[arg-type]
        priority_label=PRIORITY_LABELS_VI.get(ticket.priority, ticket.priority),
        status=ticket.status,
        status_label=STATUS_LABELS_VI.get(ticket.status, ticket.status),
        room=f"{name} ({ticket.department_code})",
        counter=ticket.counter,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        people_ahead=ahead,
        estimated_wait_minutes=wait,
        estimated_time=(now + timedelta(minutes=wait)).astimezone(VIETNAM).strftime("%H:%M"),
    )


def _facility_ticket(session: Session, facility_code: str, ticket_id: int) -> QueueTicket:
    ticket = repository.ticket(session, ticket_id, lock=True)
    if ticket is None or ticket.facility_code != facility_code:
        raise NotFound(f"Cơ sở {facility_code} không có phiếu số {ticket_id}")
    return ticket


def call_next(
    session: Session, facility_code: str, department_code: str, counter: str
) -> QueueTicket | None:
    """The next waiting ticket (priority first, then by number), now called to `counter`.

    The status changes only if the ticket is still waiting, so when two counters race for
    the same ticket the loser simply takes the next one.
    """
    department_name(session, facility_code, department_code)
    day = service_day()
    while ticket := repository.next_waiting(session, facility_code, department_code, day):
        claimed = session.execute(
            update(QueueTicket)
            .where(QueueTicket.id == ticket.id, QueueTicket.status == "waiting")
            .values(status="called", called_at=utcnow(), counter=counter, call_count=1)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:  # type: ignore[attr-defined]
            session.refresh(ticket)
            return ticket
    return None


def recall(session: Session, facility_code: str, ticket_id: int) -> QueueTicket:
    """Call the same ticket again: it moves back to the top of the board."""
    ticket = _facility_ticket(session, facility_code, ticket_id)
    if ticket.status != "called":
        raise Conflict(f"Phiếu {display_number(ticket)} không ở trạng thái đã gọi")
    ticket.called_at = utcnow()
    ticket.call_count += 1
    session.flush()
    return ticket


def _finish(session: Session, facility_code: str, ticket_id: int, status: str) -> QueueTicket:
    ticket = _facility_ticket(session, facility_code, ticket_id)
    if ticket.status not in repository.OPEN_STATUSES:
        raise Conflict(
            f"Phiếu {display_number(ticket)} đã {STATUS_LABELS_VI[ticket.status].lower()}"
        )
    ticket.status = status
    ticket.completed_at = utcnow()
    session.flush()
    return ticket


def skip(session: Session, facility_code: str, ticket_id: int) -> QueueTicket:
    """The patient did not come when called (no-show)."""
    return _finish(session, facility_code, ticket_id, "skipped")


def complete(session: Session, facility_code: str, ticket_id: int) -> QueueTicket:
    ticket = _finish(session, facility_code, ticket_id, "completed")
    if ticket.called_at is None:  # completed without a call: no service time to measure
        ticket.called_at = ticket.completed_at
    return ticket


def transfer(
    session: Session, facility_code: str, ticket_id: int, department_code: str
) -> QueueTicket:
    """Close the ticket here and queue the same visit in another department."""
    department_name(session, facility_code, department_code)
    ticket = _facility_ticket(session, facility_code, ticket_id)
    if ticket.department_code == department_code:
        raise Conflict("Khoa chuyển đến trùng với khoa hiện tại")
    _finish(session, facility_code, ticket_id, "transferred")
    moved = issue(
        session,
        NewTicket(
            facility_code,
            department_code,
            ticket.person_id,
            ticket.priority,
            ticket.encounter_id,
            None,
            ticket.insured,
        ),
    )
    moved.transferred_from = ticket.id
    session.flush()
    return moved
