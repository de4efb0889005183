"""The board's event stream: the whole board again each time a ticket is called."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import add_facility
from yteso.registration import board, queues

CODE = "19001"


class _Browser:
    """Stands in for the request: connected for `polls` polls, then gone."""

    def __init__(self, polls: int, on_poll: Any) -> None:
        self.polls, self.on_poll = polls, on_poll

    async def is_disconnected(self) -> bool:
        self.polls -= 1
        self.on_poll(self.polls)
        return self.polls < 0


async def _collect(request: _Browser, factory: sessionmaker[Session]) -> list[bytes]:
    return [chunk async for chunk in board._events(request, factory, CODE)]  # type: ignore[arg-type]


def test_stream_sends_the_board_when_a_ticket_is_called(
    db: Session, session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_facility(db, CODE)
    queues.issue(db, queues.NewTicket(CODE, "K01", 1, "none", None, None, False))
    db.commit()
    monkeypatch.setattr(board, "POLL_SECONDS", 0.01)

    def call_on_second_poll(remaining: int) -> None:
        if remaining == 2:
            queues.call_next(db, CODE, "K01", "Phòng 2")
            db.commit()

    # Its own thread and loop: Playwright's sync API may hold a loop in this thread.
    with ThreadPoolExecutor(1) as thread:
        stream = _collect(_Browser(4, call_on_second_poll), session_factory)
        chunks = thread.submit(asyncio.run, stream).result()
    assert chunks[0] == b"retry: 1000\n\n"
    events = [orjson.loads(c.split(b"data: ", 1)[1]) for c in chunks[1:]]
    assert events[0] == []  # nothing called yet; unchanged polls send nothing
    assert len(events) == 2
    assert events[1][0]["display_number"] == "K01-001"
    assert events[1][0]["counter"] == "Phòng 2"
