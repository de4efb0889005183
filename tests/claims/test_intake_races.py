"""Intakes running at the same time as other intakes, or as another writer of the patient
index, that bring the same new person. Meaningful on PostgreSQL, where transactions write
side by side; SQLite writers take turns anyway, and the tests pass there too."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tests.claims.samples import episode, his
from tests.helpers import add_facility, bearer
from yteso import patients
from yteso.claims import Episode, fhir_intake, new_envelope, service, write_envelope
from yteso.claims.fhir_mapping import map_episode
from yteso.core.errors import Conflict
from yteso.patients.models import Person
from yteso.records import patient_source_record

URL = "/api/claims/submissions"
# Long enough for the other transaction to reach the point where it waits.
_WAIT = 0.5


def _with_ma_lk(sample: Episode, ma_lk: str) -> Episode:
    sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    for document in sample.documents:
        for record in document.records:
            if "MA_LK" in record:
                record["MA_LK"] = ma_lk
    return sample


def _file(sample: Episode) -> bytes:
    return write_envelope(new_envelope("19001", "20250301", [sample]))


def _intake(raw: bytes) -> Callable[[Session], None]:
    def submit(session: Session) -> None:
        assert service.submit(session, raw, "19001", his()).outcome == "accepted"

    return submit


def _post_while_held(
    client: TestClient,
    db: Session,
    session_factory: sessionmaker[Session],
    held: Callable[[Session], None],
    raw: bytes,
) -> Response:
    """`held` writes in a transaction left open while the file is posted, committed after
    _WAIT; the API's answer."""
    headers = {**bearer(client, db, "his", "19001"), "Content-Type": "application/xml"}
    with session_factory() as session, ThreadPoolExecutor(1) as pool:
        held(session)
        posted = pool.submit(client.post, URL, content=raw, headers=headers)
        time.sleep(_WAIT)
        session.commit()
        return posted.result(timeout=30)


def _people(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Person)) or 0


def test_two_batch_files_bringing_the_same_new_person_are_both_accepted(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fhir_intake, "BULK_EPISODES", 1)  # the batch files' path
    add_facility(db, "19001")
    first, second = _file(_with_ma_lk(episode(), "RACE-1")), _file(_with_ma_lk(episode(), "RACE-2"))
    started = threading.Event()

    def other_intake() -> str:
        with session_factory() as other:
            started.set()
            outcome = service.submit(other, second, "19001", his()).outcome
            other.commit()
            return outcome

    with session_factory() as session, ThreadPoolExecutor(1) as pool:
        assert service.submit(session, first, "19001", his()).outcome == "accepted"
        waiting = pool.submit(other_intake)
        started.wait()
        time.sleep(_WAIT)  # the other intake now waits for this one's commit
        session.commit()
        assert waiting.result(timeout=30) == "accepted"
    assert _people(db) == 1


def test_a_person_added_meanwhile_by_another_writer_is_found_on_a_second_run(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    add_facility(db, "19001")
    sample = _with_ma_lk(episode(), "RACE-3")
    patient = map_episode("19001", sample, "urn:t").patient

    def kiosk(session: Session) -> None:  # another facility's record of the same person
        patients.match_record(session, patient_source_record(patient, "19002"))

    response = _post_while_held(client, db, session_factory, kiosk, _file(sample))
    assert response.status_code == 200, response.text
    assert _people(db) == 1


def test_a_small_file_racing_another_for_a_new_person_is_accepted(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    """Small files write side by side: the second waits for the first's new Patient, fails
    once it commits, and the API runs it again."""
    add_facility(db, "19001")
    first, second = _file(_with_ma_lk(episode(), "RACE-4")), _file(_with_ma_lk(episode(), "RACE-5"))
    response = _post_while_held(client, db, session_factory, _intake(first), second)
    assert response.status_code == 200, response.text
    assert _people(db) == 1


def test_an_episode_sent_twice_at_once_is_taken_once(
    client: TestClient, db: Session, session_factory: sessionmaker[Session]
) -> None:
    """The second file compared its episodes before the first committed: on SQLite it
    compares again once it has the write turn, on PostgreSQL the API runs it again."""
    add_facility(db, "19001")
    first = _file(_with_ma_lk(episode(), "RACE-6"))
    both = write_envelope(
        new_envelope(
            "19001",
            "20250301",
            [_with_ma_lk(episode(), "RACE-6"), _with_ma_lk(episode("inpatient"), "RACE-7")],
        )
    )
    response = _post_while_held(client, db, session_factory, _intake(first), both)
    assert response.status_code == 200, response.text
    changes = {e["maLk"]: (e["version"], e["change"]) for e in response.json()["episodes"]}
    assert changes == {"RACE-6": (1, "unchanged"), "RACE-7": (1, "new")}


def test_deadlocks_and_unique_failures_are_races_other_errors_are_not() -> None:
    class Driver(Exception):
        def __init__(self, state: str) -> None:
            self.sqlstate = state

    deadlock = OperationalError("INSERT", None, Driver("40P01"))
    assert service.lost_a_race(deadlock)
    assert service.lost_a_race(IntegrityError("INSERT", None, Driver("23505")))
    assert service.lost_a_race(Conflict("gửi lại"))
    assert not service.lost_a_race(OperationalError("INSERT", None, Driver("53100")))  # disk full
    assert not service.lost_a_race(ValueError("x"))
