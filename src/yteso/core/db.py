"""Database engine, the declarative base and the unit of work.

One transaction per request, command or job: `unit_of_work` commits once at the end and rolls
back on any error; services receive the session and never commit.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both databases (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets pages read while a job writes; busy_timeout waits for a writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    # 128 MiB of page cache (the default is 2 MiB): index pages of a province-sized table
    # stay in memory, which makes bulk loads into random-keyed indexes several times faster.
    cursor.execute("PRAGMA cache_size=-131072")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # As many pooled connections as the server's worker threads use at once: past the
        # pool, each request would open a connection and run the pragmas again.
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, pool_size=20, max_overflow=20
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    session = factory()
    try:
        yield session
    except BaseException:
        finish_unit_of_work(session, False)
        raise
    finish_unit_of_work(session, True)


class _CommitTurns:
    """SQLite has one writer at a time and makes the others sleep and retry (1, 2, 5, 10 …
    ms). A transaction whose only writes happen at commit (a read and its audit event)
    takes the write lock there; such commits take turns here instead, across the threads
    (a lock) and the server's processes (flock on a file beside the database), and are
    woken at once. One that already writes holds SQLite's lock and does not wait here, so
    none can deadlock."""

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._pid = os.getpid()  # a forked child must open its own file (flock is per open)
        self._file: int | None = None
        if database and database != ":memory:":
            self._file = os.open(f"{database}-commit-lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextmanager
    def turn(self) -> Iterator[None]:
        with self._threads:
            if self._file is not None:
                fcntl.flock(self._file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                if self._file is not None:
                    fcntl.flock(self._file, fcntl.LOCK_UN)


_commit_turns: dict[str, _CommitTurns] = {}
_commit_turns_lock = threading.Lock()


def _turns(database: str) -> _CommitTurns:
    turns = _commit_turns.get(database)
    if turns is None or turns._pid != os.getpid():
        with _commit_turns_lock:
            turns = _commit_turns[database] = _CommitTurns(database)
    return turns


# Set in Session.info by whoever leaves rows to be written at commit (the audit trail).
WRITES_AT_COMMIT = "yteso.db.writes_at_commit"


def _commit(session: Session) -> None:
    bind = session.get_bind()
    writes = session.info.pop(WRITES_AT_COMMIT, False) or session.new or session.dirty
    if writes and session.in_transaction() and bind.dialect.name == "sqlite":
        driver: Any = session.connection().connection.driver_connection
        if not driver.in_transaction:
            with _turns(str(bind.engine.url.database or "")).turn():
                session.commit()
            return
    session.commit()


def finish_unit_of_work(session: Session, succeeded: bool) -> None:
    """Commit (or roll back after a failure) and close; a failed commit is rolled back."""
    try:
        if succeeded:
            _commit(session)
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
