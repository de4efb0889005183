"""Audit trail of every access to a person's data.

Events are written with a Core insert (every read of a record writes one, and the ORM's
unit of work would cost more than the read itself) and, like ORM objects, at the latest
when the transaction commits: the write lock a SQLite database takes for the insert is then
held only for the insert and the commit, not for the rest of the request.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, event, insert, select
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, sessionmaker

from yteso.core.audit.models import AuditEvent
from yteso.core.auth.principal import Principal
from yteso.core.db import utcnow

_INSERT = insert(cast(Table, AuditEvent.__table__))
_PENDING = "yteso.audit.pending"  # key in Session.info: events not yet inserted


def event_row(
    principal: Principal | None,
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    outcome: str = "success",
    detail: str | None = None,
    client_address: str | None = None,
) -> dict[str, Any]:
    """The audit_events row of one access."""
    return {
        "recorded_at": utcnow(),
        "actor_kind": principal.kind if principal else "anonymous",
        "actor_id": principal.id if principal else "-",
        "role": principal.role if principal else None,
        "facility_code": principal.facility_code if principal else None,
        "action": action,
        "resource_type": resource_type,
        "resource_id": resource_id,
        "outcome": outcome,
        "detail": detail[:500] if detail else None,
        "client_address": client_address,
    }


def record(
    session: Session,
    principal: Principal | None,
    action: str,
    resource_type: str,
    resource_id: str | None = None,
    outcome: str = "success",
    detail: str | None = None,
    client_address: str | None = None,
) -> None:
    """Write the event in the caller's transaction: it commits with the access it describes."""
    row = event_row(principal, action, resource_type, resource_id, outcome, detail, client_address)
    record_many(session, [row])


def record_many(session: Session, rows: list[dict[str, Any]]) -> None:
    """Several events (`event_row`s) as `record` writes one, with one statement."""
    if not rows:
        return
    if session.in_nested_transaction():
        # Inside a savepoint the events must go (or be rolled back) with it.
        session.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)
        return
    if not session.in_transaction():
        session.begin()  # so that a rollback, even before any query, drops the events
    session.info.setdefault(_PENDING, []).extend(rows)


def _write_pending(session: Session) -> None:
    rows: list[dict[str, Any]] | None = session.info.pop(_PENDING, None)
    if rows:
        session.connection().execute(_INSERT, rows[0] if len(rows) == 1 else rows)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    _write_pending(session)


@event.listens_for(Session, "do_orm_execute")
def _before_query(state: ORMExecuteState) -> None:
    # As the ORM's autoflush: queries in the transaction see its events. Not inside a
    # savepoint, whose rollback would take events recorded before it along.
    if state.session.info.get(_PENDING) and not state.session.in_nested_transaction():
        _write_pending(state.session)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the whole transaction ended: rolled back if any remain
        session.info.pop(_PENDING, None)


def record_refusal(
    factory: sessionmaker[Session],
    principal: Principal | None,
    action: str,
    resource_type: str,
    resource_id: str | None,
    detail: str,
    client_address: str | None = None,
) -> None:
    """A refused access is rolled back with its request, so it is written in its own
    transaction: at once, or, inside a request (`defer_refusals`), once the request's
    transaction has ended — before that, on SQLite, it would wait for the request's own
    write lock."""
    refusal = _Refusal(factory, principal, action, resource_type, resource_id, detail,
                       client_address)  # fmt: skip
    deferred = _DEFERRED.get()
    if deferred is None:
        refusal.write()
    else:
        deferred.append(refusal)


@dataclass(frozen=True)
class _Refusal:
    factory: sessionmaker[Session]
    principal: Principal | None
    action: str
    resource_type: str
    resource_id: str | None
    detail: str
    client_address: str | None

    def write(self) -> None:
        with self.factory() as own:
            record(own, self.principal, self.action, self.resource_type, self.resource_id,
                   "denied", self.detail, self.client_address)  # fmt: skip
            own.commit()


_DEFERRED: ContextVar[list[_Refusal] | None] = ContextVar("yteso_deferred_refusals", default=None)


def defer_refusals() -> list[_Refusal]:
    """From now on in this context (a request), refusals wait in the returned list for
    `write_refusals`."""
    deferred: list[_Refusal] = []
    _DEFERRED.set(deferred)
    return deferred


def write_refusals(deferred: list[_Refusal]) -> None:
    while deferred:
        deferred.pop(0).write()


def recent(
    session: Session,
    resource_type: str | None = None,
    resource_id: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if resource_type:
        query = query.where(AuditEvent.resource_type == resource_type)
    if resource_id:
        query = query.where(AuditEvent.resource_id == resource_id)
    if since:
        query = query.where(AuditEvent.recorded_at >= since)
    return list(session.scalars(query))
