from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from yteso.core import outbox
from yteso.core.db import unit_of_work


def test_message_is_written_only_when_the_transaction_commits(
    session_factory: sessionmaker[Session],
) -> None:
    with pytest.raises(RuntimeError), unit_of_work(session_factory) as session:
        outbox.enqueue(session, "insurance_portal", "claims.checkin", {"MA_LK": "A1"}, "checkin:A1")
        raise RuntimeError("the change that caused it failed")
    with unit_of_work(session_factory) as session:
        assert outbox.pending(session, "insurance_portal") == []
        outbox.enqueue(session, "insurance_portal", "claims.checkin", {"MA_LK": "A1"}, "checkin:A1")
    with unit_of_work(session_factory) as session:
        (message,) = outbox.pending(session, "insurance_portal")
        assert message.payload == {"MA_LK": "A1"} and message.status == "pending"


def test_same_idempotency_key_is_one_message(db: Session) -> None:
    first = outbox.enqueue(db, "national_hub", "records.bundle", {"n": 1}, "bundle:7")
    again = outbox.enqueue(db, "national_hub", "records.bundle", {"n": 1}, "bundle:7")
    other = outbox.enqueue(db, "national_hub", "records.bundle", {"n": 2}, "bundle:8")
    db.commit()
    assert first.id == again.id != other.id
    assert [m.idempotency_key for m in outbox.pending(db, "national_hub")] == [
        "bundle:7",
        "bundle:8",
    ]
    assert outbox.pending(db, "insurance_portal") == []
