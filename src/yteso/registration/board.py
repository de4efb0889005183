"""The hall's display board: called numbers and rooms, public, no names.

Live updates are server-sent events from a stream that polls the database every
`POLL_SECONDS` and sends the board only when it changed (a fingerprint of the called
tickets). Polling keeps every API process stateless (no in-memory pub/sub to share between
workers); the cost is one small indexed query per open board every 0.3 s. A stream ends
after `STREAM_SECONDS` and the browser's EventSource reconnects by itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from anyio import to_thread
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.db import unit_of_work
from yteso.core.web.deps import Db, get_session_factory
from yteso.registration import queues, repository
from yteso.registration.api import facility_or_404
from yteso.registration.schemas import BoardEntryOut

router = APIRouter(prefix="/api/kiosk", tags=["registration"])

BOARD_SIZE = 8
POLL_SECONDS = 0.3
STREAM_SECONDS = 300.0


def board_entries(session: Session, facility_code: str) -> list[BoardEntryOut]:
    tickets = repository.called_tickets(session, facility_code, queues.service_day(), BOARD_SIZE)
    names = queues.departments(session, facility_code) if tickets else {}
    return [
        BoardEntryOut(
            display_number=queues.display_number(t),
            department_code=t.department_code,
            department_name=names.get(t.department_code, t.department_code),
            counter=t.counter,
            called_at=t.called_at or t.issued_at,
            call_count=t.call_count,
        )
        for t in tickets
    ]


@router.get("/{code}/board", response_model=list[BoardEntryOut])
def board(db: Db, code: str) -> list[BoardEntryOut]:
    """The most recently called tickets, newest first (public: numbers and rooms only)."""
    facility_or_404(db, code)
    return board_entries(db, code)


def _snapshot(factory: sessionmaker[Session], code: str) -> bytes:
    with unit_of_work(factory) as session:
        entries = board_entries(session, code)
    return orjson.dumps([e.model_dump(mode="json") for e in entries])


async def _events(
    request: Request, factory: sessionmaker[Session], code: str
) -> AsyncIterator[bytes]:
    yield b"retry: 1000\n\n"
    last = b""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_SECONDS
    while loop.time() < deadline and not await request.is_disconnected():
        current = await to_thread.run_sync(_snapshot, factory, code)
        if current != last:
            last = current
            yield b"event: board\ndata: " + current + b"\n\n"
        await asyncio.sleep(POLL_SECONDS)


@router.get("/{code}/board/events")
def board_events(request: Request, db: Db, code: str) -> StreamingResponse:
    """Server-sent events: `board` with the whole board each time it changes."""
    facility_or_404(db, code)
    return StreamingResponse(
        _events(request, get_session_factory(request), code),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
