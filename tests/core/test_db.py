"""The unit of work on both databases: savepoints stay inside their transaction, and SQLite
writers take turns."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.db import make_engine
from yteso.core.outbox.models import OutboxMessage
from yteso.core.outbox.service import enqueue


def _messages(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_a_released_savepoint_is_still_rolled_back_with_its_transaction(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    with session_factory() as session:
        session.scalar(select(func.count()).select_from(OutboxMessage))  # reads first
        with session.begin_nested():
            enqueue(session, "insurance-portal", "checkin", {"n": 1}, "savepoint-1")
        session.rollback()
    assert _messages(engine) == 0


def test_concurrent_writers_all_commit(
    session_factory: sessionmaker[Session], engine: Engine
) -> None:
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            for n in range(20):
                with session_factory() as session:
                    session.scalar(select(func.count()).select_from(OutboxMessage))
                    enqueue(session, "insurance-portal", "checkin", {"n": n}, f"w{worker}-{n}")
                    session.commit()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    writers = [threading.Thread(target=write, args=(w,)) for w in range(6)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert errors == []
    assert _messages(engine) == 120


def test_a_new_sqlite_database_has_16_kib_pages(tmp_path: Path) -> None:
    """Set before the first table: an existing database keeps the page size it was made
    with (changing it takes a VACUUM)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE t (x INTEGER)"))
            assert connection.execute(text("PRAGMA page_size")).scalar() == 16384
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    finally:
        engine.dispose()
