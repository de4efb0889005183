"""Group commit of the audit events of reads.

A read writes nothing but its audit event, yet a transaction of its own per read costs a
commit each: on SQLite one writer at a time, on PostgreSQL a WAL flush and four round
trips. Here reads are handed to the process's audit threads and wait; a thread runs
every read that is waiting, inserts all their events in one transaction, commits, and
only then hands each read its answer. A response is still sent only after its events are
committed, and a read whose events fail to commit fails. Many reads share one commit, and
a read costs its event loop no hop through the thread pool. Writes keep auditing inside
their own transaction (`record`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from sqlalchemy import Connection, Engine, Table, insert

from yteso.core.audit.models import AuditEvent

log = logging.getLogger("yteso.audit")

BATCH_ROWS = 1000  # events (and reads) per batch at most
IDLE_SECONDS = 5.0  # a thread with nothing to do that long ends
# Batches in flight at once: while one waits for its commit (on PostgreSQL a WAL flush,
# slow when other writers load the disk), the next reads and commits.
THREADS = 2

Row = dict[str, Any]
K = TypeVar("K")
T = TypeVar("T")
# Reads the audit thread runs, every waiting one of a kind at once: given their keys, in
# order, what each answers (a result, or the exception to raise) and the events it must
# not be answered without.
Reads = Callable[[Connection, list[K]], list[tuple[T | Exception, Sequence[Row]]]]

_INSERT = insert(cast(Table, AuditEvent.__table__))


class AuditNotWritten(Exception):
    """The events of an access could not be committed: the access must fail."""


@dataclass(eq=False)
class _Waiting:
    reads: Reads[Any, Any] | None
    key: Any
    rows: Sequence[Row]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    result: Any = None
    error: BaseException | None = None


class AuditWriter:
    """One per process and database; its threads start with the events and end after
    IDLE_SECONDS without any."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._wake = threading.Condition()
        self._waiting: list[_Waiting] = []
        self._threads = 0  # running
        self._idle = 0  # of them, waiting for work

    async def write(self, rows: Sequence[Row]) -> None:
        """Return once the rows are committed; raise AuditNotWritten when they were not."""
        await self._wait(None, None, rows)

    async def read(self, reads: Reads[K, T], key: K) -> T:
        """Have an audit thread read `key` (with the other keys waiting for `reads`) and
        return the answer once its events are committed; raise the exception answered
        (no events then), or AuditNotWritten."""
        result: T = await self._wait(reads, key, ())
        return result

    async def _wait(self, reads: Reads[Any, Any] | None, key: Any, rows: Sequence[Row]) -> Any:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._submit(_Waiting(reads, key, rows, future, loop))
        return await future  # cancelled (the client hung up): the events are written anyway

    def _submit(self, waiting: _Waiting) -> None:
        with self._wake:
            self._waiting.append(waiting)
            if self._idle:
                self._wake.notify()
            elif self._threads < THREADS:
                self._threads += 1
                threading.Thread(target=self._run, name="yteso-audit", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._wake:
                if not self._waiting:
                    self._idle += 1
                    self._wake.wait(IDLE_SECONDS)
                    self._idle -= 1
                if not self._waiting:
                    self._threads -= 1
                    return
                batch = self._take()
            try:
                self._process(batch)
            except Exception as error:  # a fault here must not leave requests waiting
                log.exception("audit thread failed")
                for waiting in batch:
                    waiting.error = waiting.error or _not_written(error)
            _settle(batch)

    def _take(self) -> list[_Waiting]:
        count, rows = 0, 0
        for waiting in self._waiting:
            rows += len(waiting.rows) + (waiting.reads is not None)
            if count and rows > BATCH_ROWS:
                break
            count += 1
        batch, self._waiting = self._waiting[:count], self._waiting[count:]
        return batch

    def _process(self, batch: list[_Waiting]) -> None:
        with self._engine.connect() as connection:
            _reads(connection, batch)
            writing = [w for w in batch if w.error is None and w.rows]
            try:
                _insert(connection, writing)
                return
            except Exception as error:
                log.exception("audit events not written")
                if len(writing) == 1:
                    writing[0].error = _not_written(error)
                    return
        # One request's bad event must not fail the others: each on its own, on a new
        # connection (the failure may have been this one's), once this one is given back.
        for waiting in writing:
            try:
                with self._engine.connect() as connection:
                    _insert(connection, [waiting])
            except Exception as error:
                waiting.error = _not_written(error)


def _reads(connection: Connection, batch: list[_Waiting]) -> None:
    kinds: dict[Reads[Any, Any], list[_Waiting]] = {}
    for waiting in batch:
        if waiting.reads is not None:
            kinds.setdefault(waiting.reads, []).append(waiting)
    for reads, waitings in kinds.items():
        _read(connection, reads, waitings)


def _read(connection: Connection, reads: Reads[Any, Any], batch: list[_Waiting]) -> None:
    try:
        answers = reads(connection, [waiting.key for waiting in batch])
    except Exception as error:
        if len(batch) == 1:
            batch[0].error = error
            return
        for waiting in batch:  # one key's failure must not fail the others
            _read(connection, reads, [waiting])
        return
    for waiting, (answer, rows) in zip(batch, answers, strict=True):
        if isinstance(answer, Exception):
            waiting.error = answer
        else:
            waiting.result, waiting.rows = answer, rows


def _insert(connection: Connection, batch: list[_Waiting]) -> None:
    """The events in the transaction of the batch's reads (none on SQLite, where only the
    insert begins one): one commit."""
    rows = [row for waiting in batch for row in waiting.rows]
    if rows:
        connection.execute(_INSERT, rows)
        connection.commit()


def _not_written(error: BaseException) -> AuditNotWritten:
    failure = AuditNotWritten(f"audit events not written: {error!r}")
    failure.__cause__ = error
    return failure


def _settle(batch: list[_Waiting]) -> None:
    by_loop: dict[asyncio.AbstractEventLoop, list[_Waiting]] = {}
    for waiting in batch:
        by_loop.setdefault(waiting.loop, []).append(waiting)
    for loop, waitings in by_loop.items():
        # One wake-up of each event loop for the whole batch; a closed loop has nobody
        # waiting any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_resolve_all, waitings)


def _resolve_all(batch: list[_Waiting]) -> None:
    for waiting in batch:
        if waiting.future.done():  # cancelled
            continue
        if waiting.error is None:
            waiting.future.set_result(waiting.result)
        else:
            waiting.future.set_exception(waiting.error)
