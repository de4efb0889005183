"""Database engine, the declarative base and the unit of work.

One transaction per request, command or job: `unit_of_work` commits once at the end and rolls
back on any error; services receive the session and never commit.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


SQLITE_BUSY_SECONDS = 10


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
    # Takes effect on a new database only (before WAL and the first table): 16 KiB pages
    # hold a claims episode's bodies and index rows in fewer pages than the default 4 KiB.
    # Measured on one run each: claims batch intake +15 %, NDJSON import and Bundles +17-19 %,
    # reads by id +17 %, searches within noise.
    cursor.execute("PRAGMA page_size=16384")
    # WAL lets pages read while a job writes; busy_timeout waits for a writer instead of failing.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
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
        _share_writes(engine)
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


class _WriteTurns:
    """SQLite has one writer at a time and makes the others sleep and retry (1, 2, 5, 10 …
    up to 100 ms at a time), so under load a write waits far longer than the writer ahead
    of it needs. Writers take turns here instead, across the threads (a lock) and the
    server's processes (flock on a file beside the database), and the next one is woken as
    soon as the previous one's connection goes back to the pool (after its commit or
    rollback)."""

    def __init__(self, database: str) -> None:
        self._threads = threading.Lock()
        self._pid = os.getpid()  # a forked child must open its own file (flock is per open)
        self._file: int | None = None
        if database and database != ":memory:":
            self._file = os.open(f"{database}-commit-lock", os.O_RDWR | os.O_CREAT, 0o600)

    def take(self) -> None:
        # A thread that already holds the turn through another connection would wait for
        # itself: after SQLite's own busy timeout it fails as SQLite would.
        if not self._threads.acquire(timeout=SQLITE_BUSY_SECONDS):
            raise OperationalError("BEGIN", None, sqlite3.OperationalError("database is locked"))
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_EX)

    def give_back(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
        self._threads.release()


_write_turns: dict[str, _WriteTurns] = {}
_write_turns_lock = threading.Lock()
_HOLDS_TURN = "yteso.db.holds_write_turn"  # key in a pooled connection's info
_READ_ONLY = ("SELECT", "PRAGMA", "EXPLAIN")
_WRITING_CTE = re.compile(r"\b(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _turns(database: str) -> _WriteTurns:
    turns = _write_turns.get(database)
    if turns is None or turns._pid != os.getpid():
        with _write_turns_lock:
            turns = _write_turns[database] = _WriteTurns(database)
    return turns


def _writes(statement: str) -> bool:
    head = statement.lstrip()[:7].upper()
    if head.startswith(_READ_ONLY):
        return False
    return not head.startswith("WITH") or bool(_WRITING_CTE.search(statement))


def _take_turn(connection: Connection, cursor: Any, statement: str, *_args: Any) -> None:
    info = connection.info  # the pooled connection's: `checkin` gets the same dict
    if _HOLDS_TURN not in info and _writes(statement):
        turns = _turns(str(connection.engine.url.database or ""))
        turns.take()
        info[_HOLDS_TURN] = turns
    if statement.startswith("SAVEPOINT") and not cursor.connection.in_transaction:
        # The driver begins a transaction only before INSERT, UPDATE or DELETE: a savepoint
        # taken before any of them would be the outermost one, and releasing it would
        # commit everything so far, whatever happens to the transaction afterwards.
        cursor.execute("BEGIN")


def _give_back_turn(_dbapi_connection: Any, record: Any, *_args: Any) -> None:
    turns: _WriteTurns | None = record.info.pop(_HOLDS_TURN, None)
    if turns is not None:
        turns.give_back()


def _share_writes(engine: Engine) -> None:
    """The first write of a transaction waits for its turn; the turn passes on when the
    connection returns to the pool, committed or rolled back (`checkin`), or is
    invalidated instead."""
    event.listen(engine, "before_cursor_execute", _take_turn)
    event.listen(engine.pool, "checkin", _give_back_turn)
    event.listen(engine.pool, "invalidate", _give_back_turn)


def finish_unit_of_work(session: Session, succeeded: bool) -> None:
    """Commit (or roll back after a failure) and close; a failed commit is rolled back."""
    try:
        if succeeded:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
