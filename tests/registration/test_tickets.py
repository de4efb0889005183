"""Ticket numbers under concurrency: unique and gap-free per facility, department and day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.db import unit_of_work
from yteso.registration import queues
from yteso.registration.models import QueueTicket

KIOSKS = 8
TICKETS_EACH = 15


def _new(department: str = "K01", person_id: int = 1) -> queues.NewTicket:
    return queues.NewTicket("19001", department, person_id, "none", None, None, False)


def _numbers(db: Session, department: str = "K01") -> list[int]:
    return list(
        db.scalars(
            select(QueueTicket.number)
            .where(QueueTicket.department_code == department)
            .order_by(QueueTicket.number)
        )
    )


def _kiosk(factory: sessionmaker[Session], errors: list[BaseException], fail_every: int) -> None:
    for attempt in range(TICKETS_EACH):
        try:
            with unit_of_work(factory) as session:
                queues.issue(session, _new())
                if fail_every and attempt % fail_every == 0:
                    raise RuntimeError("the kiosk's transaction fails after taking a number")
        except RuntimeError:
            continue
        except BaseException as error:  # anything else is a failure of the test
            errors.append(error)


def _run_kiosks(factory: sessionmaker[Session], fail_every: int = 0) -> list[BaseException]:
    errors: list[BaseException] = []
    threads = [
        threading.Thread(target=_kiosk, args=(factory, errors, fail_every)) for _ in range(KIOSKS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_concurrent_kiosks_get_unique_gap_free_numbers(
    session_factory: sessionmaker[Session], db: Session
) -> None:
    errors = _run_kiosks(session_factory)
    assert errors == []
    assert _numbers(db) == list(range(1, KIOSKS * TICKETS_EACH + 1))


def test_a_rolled_back_ticket_gives_its_number_back(
    session_factory: sessionmaker[Session], db: Session
) -> None:
    errors = _run_kiosks(session_factory, fail_every=3)
    assert errors == []
    issued = KIOSKS * (TICKETS_EACH - len(range(0, TICKETS_EACH, 3)))
    assert _numbers(db) == list(range(1, issued + 1))


def test_numbers_restart_per_department_and_vietnam_day(db: Session) -> None:
    evening = datetime(2026, 11, 25, 16, 59, tzinfo=UTC)  # 23:59 in Vietnam
    after_midnight = datetime(2026, 11, 25, 17, 1, tzinfo=UTC)  # 00:01 the next day there
    first = queues.issue(db, _new("K01"), evening)
    other_department = queues.issue(db, _new("K18"), evening)
    next_day = queues.issue(db, _new("K01"), after_midnight)
    db.commit()
    assert (first.number, other_department.number, next_day.number) == (1, 1, 1)
    assert first.service_day.isoformat() == "2026-11-25"
    assert next_day.service_day.isoformat() == "2026-11-26"
    assert queues.display_number(first) == "K01-001"
