"""Audit trail of every access to a person's data."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.audit.models import AuditEvent
from yteso.core.auth.principal import Principal


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
    session.add(
        AuditEvent(
            actor_kind=principal.kind if principal else "anonymous",
            actor_id=principal.id if principal else "-",
            role=principal.role if principal else None,
            facility_code=principal.facility_code if principal else None,
            action=action,
            resource_type=resource_type,
            resource_id=resource_id,
            outcome=outcome,
            detail=detail[:500] if detail else None,
            client_address=client_address,
        )
    )


def record_refusal(
    factory: sessionmaker[Session],
    principal: Principal | None,
    action: str,
    resource_type: str,
    resource_id: str | None,
    detail: str,
    client_address: str | None = None,
) -> None:
    """A refused access is rolled back with its request, so it is written in its own transaction."""
    with factory() as own:
        record(own, principal, action, resource_type, resource_id, "denied", detail, client_address)
        own.commit()


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
