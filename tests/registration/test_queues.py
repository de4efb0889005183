"""Queue order, counter actions and the wait estimate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from tests.helpers import add_facility
from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.registration import queues, waits

CODE = "19001"


def _issue(db: Session, priority: str = "none", department: str = "K01") -> int:
    ticket = queues.issue(db, queues.NewTicket(CODE, department, 1, priority, None, None, False))
    return ticket.number


def test_priority_tickets_are_called_first_then_by_number(db: Session) -> None:
    add_facility(db, CODE)
    for priority in ("none", "none", "elderly", "none", "pregnant"):
        _issue(db, priority)
    called = []
    while (ticket := queues.call_next(db, CODE, "K01", "Phòng 1")) is not None:
        called.append((ticket.number, ticket.priority))
    assert called == [(3, "elderly"), (5, "pregnant"), (1, "none"), (2, "none"), (4, "none")]


def test_recall_skip_complete_and_transfer(db: Session) -> None:
    add_facility(db, CODE)
    _issue(db)
    _issue(db)
    first = queues.call_next(db, CODE, "K01", "Phòng 1")
    assert first is not None and first.status == "called" and first.counter == "Phòng 1"
    assert queues.recall(db, CODE, first.id).call_count == 2
    assert queues.skip(db, CODE, first.id).status == "skipped"
    with pytest.raises(Conflict):
        queues.complete(db, CODE, first.id)
    second = queues.call_next(db, CODE, "K01", "Phòng 1")
    assert second is not None
    moved = queues.transfer(db, CODE, second.id, "K18")
    assert (moved.department_code, moved.number, moved.status) == ("K18", 1, "waiting")
    assert moved.transferred_from == second.id and second.status == "transferred"
    with pytest.raises(NotFound):
        queues.transfer(db, CODE, moved.id, "K99")
    assert queues.complete(db, CODE, moved.id).status == "completed"


def test_tickets_of_another_facility_are_not_found(db: Session) -> None:
    add_facility(db, CODE)
    add_facility(db, "19002")
    _issue(db)
    ticket = queues.call_next(db, CODE, "K01", "Phòng 1")
    assert ticket is not None
    with pytest.raises(NotFound):
        queues.complete(db, "19002", ticket.id)


def test_wait_estimate_uses_the_median_service_time_of_the_day(db: Session) -> None:
    add_facility(db, CODE)
    now = utcnow()
    day = queues.service_day(now)
    default = waits.service_rate(db, CODE, "K01", day, now)
    assert (default.service_minutes, default.measured) == (waits.DEFAULT_SERVICE_MINUTES, False)
    for minutes in (2, 4, 30):  # the 30-minute patient does not move the median
        _issue(db)
        ticket = queues.call_next(db, CODE, "K01", "Phòng 1")
        assert ticket is not None
        queues.complete(db, CODE, ticket.id)
        ticket.called_at = ticket.completed_at - timedelta(minutes=minutes)  # type: ignore[operator]
    db.flush()
    for _ in range(3):
        _issue(db)
    rate = waits.service_rate(db, CODE, "K01", day, now)
    assert (rate.service_minutes, rate.measured, rate.counters) == (4.0, True, 1)
    overview = {d.code: d for d in queues.queue_overview(db, CODE)}
    assert overview["K01"].waiting == 3
    assert overview["K01"].estimated_wait_minutes == 12
    assert list(overview) == ["K01", "K18"]


def test_people_ahead_counts_priority_tickets_first(db: Session) -> None:
    add_facility(db, CODE)
    plain = [
        queues.issue(db, queues.NewTicket(CODE, "K01", 1, p, None, None, False))
        for p in ("none", "none", "child", "none")
    ]
    ahead = [queues.ticket_out(db, t).people_ahead for t in plain]
    assert ahead == [1, 2, 0, 3]
