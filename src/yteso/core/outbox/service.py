"""Write effects for other systems into the caller's transaction; a later job delivers them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from yteso.core.outbox.models import OutboxMessage


def enqueue(
    session: Session,
    destination: str,
    message_type: str,
    payload: dict[str, Any],
    idempotency_key: str,
) -> OutboxMessage:
    """Add a message to be sent when the caller's transaction commits (never before).

    The same idempotency key twice is the same effect: the first message is returned instead
    of writing a second one, so a retried request never sends twice.
    """
    existing = session.scalars(
        select(OutboxMessage).where(OutboxMessage.idempotency_key == idempotency_key)
    ).first()
    if existing is not None:
        return existing
    message = OutboxMessage(
        destination=destination,
        message_type=message_type,
        payload=payload,
        idempotency_key=idempotency_key,
    )
    session.add(message)
    session.flush()
    return message


def pending(session: Session, destination: str, limit: int = 100) -> list[OutboxMessage]:
    """Oldest undelivered messages for one destination, in the order they were written."""
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.destination == destination, OutboxMessage.status == "pending")
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.scalars(query))
