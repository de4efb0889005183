"""Every query of the registration tables. Takes the session first and never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from yteso.registration.models import KioskInteraction, QueueCounter, QueueTicket

OPEN_STATUSES = ("waiting", "called")


def next_number(session: Session, facility_code: str, department_code: str, day: date) -> int:
    """The next ticket number of the department's queue for the day, in one statement.

    An upsert with RETURNING on both databases: the counter row is created at 1 or
    incremented, and stays locked (PostgreSQL row lock, SQLite write lock) until the
    caller's transaction ends. Concurrent kiosks wait for each other instead of reading
    the same value; a rolled-back ticket rolls its number back, so the day has no gaps.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(QueueCounter)
        .values(
            facility_code=facility_code,
            department_code=department_code,
            service_day=day,
            last_number=1,
        )
        .on_conflict_do_update(
            index_elements=["facility_code", "department_code", "service_day"],
            set_={"last_number": QueueCounter.last_number + 1},
        )
        .returning(QueueCounter.last_number)
    )
    return int(session.execute(statement).scalar_one())


def ticket(session: Session, ticket_id: int, lock: bool = False) -> QueueTicket | None:
    query = select(QueueTicket).where(QueueTicket.id == ticket_id)
    return session.scalars(query.with_for_update() if lock else query).first()


def ticket_by_request(session: Session, facility_code: str, request_id: str) -> QueueTicket | None:
    return session.scalars(
        select(QueueTicket).where(
            QueueTicket.facility_code == facility_code, QueueTicket.request_id == request_id
        )
    ).first()


def open_ticket_of(
    session: Session, facility_code: str, person_id: int, day: date
) -> QueueTicket | None:
    """The person's ticket still in a queue of this facility today (any department)."""
    return session.scalars(
        select(QueueTicket)
        .where(
            QueueTicket.person_id == person_id,
            QueueTicket.service_day == day,
            QueueTicket.facility_code == facility_code,
            QueueTicket.status.in_(OPEN_STATUSES),
        )
        .order_by(QueueTicket.id.desc())
    ).first()


def _queue(facility_code: str, department_code: str, day: date) -> Any:
    return and_(
        QueueTicket.facility_code == facility_code,
        QueueTicket.department_code == department_code,
        QueueTicket.service_day == day,
    )


def next_waiting(
    session: Session, facility_code: str, department_code: str, day: date
) -> QueueTicket | None:
    """Priority tickets first, then in number order; locked so two counters never both
    call the same ticket (SKIP LOCKED lets the second counter take the one after)."""
    query = (
        select(QueueTicket)
        .where(_queue(facility_code, department_code, day), QueueTicket.status == "waiting")
        .order_by((QueueTicket.priority == "none").asc(), QueueTicket.number)
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).first()


def tickets_in_queue(
    session: Session, facility_code: str, department_code: str, day: date, statuses: Sequence[str]
) -> list[QueueTicket]:
    return list(
        session.scalars(
            select(QueueTicket)
            .where(_queue(facility_code, department_code, day), QueueTicket.status.in_(statuses))
            .order_by((QueueTicket.priority == "none").asc(), QueueTicket.number)
        )
    )


def waiting_ahead(session: Session, ticket: QueueTicket) -> int:
    """Waiting tickets called before this one: priority ones first, then lower numbers."""
    urgent = ticket.priority != "none"
    before = QueueTicket.number < ticket.number
    ahead = (
        and_(QueueTicket.priority != "none", before)
        if urgent
        else or_(QueueTicket.priority != "none", before)
    )
    return int(
        session.execute(
            select(func.count()).where(
                _queue(ticket.facility_code, ticket.department_code, ticket.service_day),
                QueueTicket.status == "waiting",
                ahead,
            )
        ).scalar_one()
    )


def waiting_counts(session: Session, facility_code: str, day: date) -> dict[str, int]:
    rows = session.execute(
        select(QueueTicket.department_code, func.count())
        .where(
            QueueTicket.facility_code == facility_code,
            QueueTicket.service_day == day,
            QueueTicket.status == "waiting",
        )
        .group_by(QueueTicket.department_code)
    )
    return {code: int(count) for code, count in rows}


def recent_service_seconds(
    session: Session, facility_code: str, day: date, limit: int
) -> dict[str, list[float]]:
    """Call-to-complete seconds of each department's last `limit` completed tickets of the
    day, in one query for the whole facility."""
    recent = (
        select(
            QueueTicket.department_code,
            QueueTicket.called_at,
            QueueTicket.completed_at,
            func.row_number()
            .over(
                partition_by=QueueTicket.department_code,
                order_by=QueueTicket.completed_at.desc(),
            )
            .label("rank"),
        )
        .where(
            QueueTicket.facility_code == facility_code,
            QueueTicket.service_day == day,
            QueueTicket.status == "completed",
            QueueTicket.called_at.is_not(None),
        )
        .subquery()
    )
    rows = session.execute(
        select(recent.c.department_code, recent.c.called_at, recent.c.completed_at).where(
            recent.c.rank <= limit
        )
    )
    seconds: dict[str, list[float]] = {}
    for department, called, done in rows:
        if called and done:
            seconds.setdefault(department, []).append((done - called).total_seconds())
    return seconds


def active_counters(session: Session, facility_code: str, since: datetime) -> dict[str, int]:
    """Counters (rooms) of each department that called a ticket since `since`."""
    rows = session.execute(
        select(QueueTicket.department_code, func.count(func.distinct(QueueTicket.counter)))
        .where(QueueTicket.facility_code == facility_code, QueueTicket.called_at >= since)
        .group_by(QueueTicket.department_code)
    )
    return {department: int(count) for department, count in rows}


def called_tickets(
    session: Session, facility_code: str, day: date, limit: int
) -> list[QueueTicket]:
    """The most recently called tickets of the facility (for the board)."""
    return list(
        session.scalars(
            select(QueueTicket)
            .where(
                QueueTicket.facility_code == facility_code,
                QueueTicket.service_day == day,
                QueueTicket.status == "called",
            )
            .order_by(QueueTicket.called_at.desc())
            .limit(limit)
        )
    )


def interaction(session: Session, token_hash: str, now: datetime) -> KioskInteraction | None:
    return session.scalars(
        select(KioskInteraction).where(
            KioskInteraction.token_hash == token_hash, KioskInteraction.expires_at > now
        )
    ).first()


def unknown_numbers_since(session: Session, client_id: str, since: datetime) -> int:
    """Typed numbers that found nobody at this kiosk since then (and were not registered)."""
    return (
        session.scalar(
            select(func.count()).where(
                KioskInteraction.client_id == client_id,
                KioskInteraction.person_id.is_(None),
                KioskInteraction.created_at >= since,
            )
        )
        or 0
    )


def delete_expired_interactions(session: Session, now: datetime) -> None:
    # Rows another kiosk's transaction is deleting are left to it (PostgreSQL): waiting for
    # them would make every identify wait for the one before it to commit.
    expired = (
        select(KioskInteraction.token_hash)
        .where(KioskInteraction.expires_at <= now)
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(KioskInteraction).where(KioskInteraction.token_hash.in_(expired)))


def link_interaction_ticket(session: Session, token_hash: str, ticket_id: int) -> None:
    session.execute(
        update(KioskInteraction)
        .where(KioskInteraction.token_hash == token_hash)
        .values(ticket_id=ticket_id)
    )
