"""The audit thread's group commit: every event of an access committed before the access
is answered, one bad event failing only its own access."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import run_async
from yteso.core.audit import AuditNotWritten, AuditWriter, event_row, group_commit
from yteso.core.audit.models import AuditEvent


def _ids(factory: sessionmaker[Session]) -> list[str | None]:
    with factory() as session:
        return sorted(session.scalars(select(AuditEvent.resource_id)))


def _row(resource_id: str) -> dict[str, Any]:
    return event_row(None, "read", "Patient", resource_id)


def test_concurrent_accesses_are_answered_once_their_events_are_committed(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    writer = AuditWriter(engine)
    visible: list[int] = []

    async def access(index: int) -> None:
        await writer.write([_row(f"p{index:03}")])
        with session_factory() as session:  # committed: another session sees it
            query = select(func.count()).where(AuditEvent.resource_id == f"p{index:03}")
            visible.append(int(session.scalar(query) or 0))

    async def accesses() -> None:
        await asyncio.gather(*(access(i) for i in range(100)))

    run_async(accesses())
    assert visible == [1] * 100
    assert _ids(session_factory) == [f"p{i:03}" for i in range(100)]


def _held(gate: threading.Event) -> group_commit.Reads[int, str]:
    def reads(_connection: Connection, keys: list[int]) -> list[tuple[str, Sequence[Any]]]:
        gate.wait(10)
        return [(f"answer {key}", [_row(f"held{key}")]) for key in keys]

    return reads


def test_a_bad_event_fails_its_own_access_and_no_other(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    writer = AuditWriter(engine)
    gate = threading.Event()

    async def accesses() -> list[Any]:
        # Every thread held inside a read: what comes next waits for one batch.
        held = [
            asyncio.ensure_future(writer.read(_held(gate), k)) for k in range(group_commit.THREADS)
        ]
        await asyncio.sleep(0.1)
        rest = [asyncio.ensure_future(writer.write([_row(f"good{i}")])) for i in range(5)]
        bad = {**_row("bad"), "actor_kind": None}  # NOT NULL
        rest.append(asyncio.ensure_future(writer.write([bad])))
        await asyncio.sleep(0.1)
        gate.set()
        return await asyncio.gather(*held, *rest, return_exceptions=True)

    results = run_async(accesses())
    threads = group_commit.THREADS
    assert results[:threads] == [f"answer {k}" for k in range(threads)]
    assert results[threads:-1] == [None] * 5
    assert isinstance(results[-1], AuditNotWritten)
    held = [f"held{k}" for k in range(threads)]
    assert _ids(session_factory) == [f"good{i}" for i in range(5)] + held


def test_a_read_that_fails_writes_no_event_and_others_still_answer(
    engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    writer = AuditWriter(engine)

    def reads(_connection: Connection, keys: list[str]) -> list[tuple[Any, Sequence[Any]]]:
        if "broken" in keys:
            raise RuntimeError("broken key")
        return [(key.upper(), [_row(key)]) for key in keys]

    async def accesses() -> list[Any]:
        keys = ["a", "broken", "b"]
        return await asyncio.gather(*(writer.read(reads, k) for k in keys), return_exceptions=True)

    results = run_async(accesses())
    assert results[0] == "A" and results[2] == "B"
    assert isinstance(results[1], RuntimeError)
    assert _ids(session_factory) == ["a", "b"]


def test_the_thread_ends_when_idle_and_comes_back(
    engine: Engine, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(group_commit, "IDLE_SECONDS", 0.05)
    writer = AuditWriter(engine)

    async def accesses() -> None:
        await writer.write([_row("before")])
        await asyncio.sleep(0.3)
        assert writer._threads == 0
        await writer.write([_row("after")])

    run_async(accesses())
    assert _ids(session_factory) == ["after", "before"]
