"""Read by id, the hottest route, without a unit of work.

The process's audit threads (yteso.core.audit.AuditWriter) run the reads waiting at once,
one query per resource type, and commit their audit events together before any is
answered: no read takes a write lock or pays a commit of its own, and the event loop
hands no read to the thread pool.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, select

from yteso.core.audit import AuditNotWritten, AuditWriter, event_row
from yteso.core.auth import Principal
from yteso.records import access
from yteso.records.outcome import fail
from yteso.records.repository import BODY, CURRENT
from yteso.records.writes import Stored

# Built once, as the repository's read by id: building a select costs more than running it.
_CURRENT_OF = select(
    CURRENT.c.res_id, CURRENT.c.version, CURRENT.c.last_updated, CURRENT.c.deleted, BODY
).where(CURRENT.c.res_type == bindparam("res_type"), CURRENT.c.res_id.in_(bindparam("ids")))

_NOT_AUDITED = "Không ghi được nhật ký truy cập nên không trả dữ liệu; vui lòng thử lại"


@dataclass(frozen=True)
class _Key:
    principal: Principal
    address: str | None
    res_type: str
    res_id: str


async def read(
    writer: AuditWriter, principal: Principal, address: str | None, res_type: str, res_id: str
) -> Stored:
    """The current version, answered once its audit event (or that of the refusal) is
    committed; 403, 404 and 410 as OperationOutcomes, 500 when the event is not written."""
    why = access.read_refusal(principal, res_type)
    try:
        if why is not None:
            await writer.write(
                [event_row(principal, "read", res_type, res_id, "denied", why, address)]
            )
            raise fail(403, "forbidden", why)
        return await writer.read(_read_many, _Key(principal, address, res_type, res_id))
    except AuditNotWritten:
        raise fail(500, "exception", _NOT_AUDITED) from None


def _read_many(
    connection: Connection, keys: list[_Key]
) -> list[tuple[Stored | Exception, Sequence[dict[str, Any]]]]:
    found: dict[tuple[str, str], Any] = {}
    for res_type in {key.res_type for key in keys}:
        ids = [key.res_id for key in keys if key.res_type == res_type]
        for row in connection.execute(_CURRENT_OF, {"res_type": res_type, "ids": ids}):
            found[(res_type, row[0])] = row
    return [_answer(key, found.get((key.res_type, key.res_id))) for key in keys]


def _answer(key: _Key, row: Any) -> tuple[Stored | Exception, Sequence[dict[str, Any]]]:
    res_type, res_id = key.res_type, key.res_id
    if row is None:
        return fail(404, "not-found", f"Không có {res_type}/{res_id}"), []
    if row[3]:
        return fail(410, "deleted", f"{res_type}/{res_id} đã bị xóa"), []
    event = event_row(key.principal, "read", res_type, res_id, "success", None, key.address)
    return Stored(res_type, res_id, row[1], row[2], row[4]), [event]
