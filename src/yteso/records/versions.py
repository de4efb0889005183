"""Every version of a resource (fhir_history), with each body stored once.

The current version's body is kept only in fhir_resources: its history row holds no body
until a newer version supersedes it, when the body is copied over inside the database
(`keep_superseded`). A back-fill writes each resource once instead of twice (half of a
claims episode's bytes). Rows written before this held their body twice; reads take the
history row's body first, so both kinds read alike."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Text, and_, cast, func, select, text
from sqlalchemy.orm import Session

from yteso.records.repository import CURRENT, HISTORY

# The current row at the same version fills in the body of a history row that has none;
# a delete's row has none of its own (the current row keeps the last body, for 410s).
_BODY_OF_CURRENT = and_(
    CURRENT.c.res_type == HISTORY.c.res_type,
    CURRENT.c.res_id == HISTORY.c.res_id,
    CURRENT.c.version == HISTORY.c.version,
    HISTORY.c.resource.is_(None),
    HISTORY.c.method != "DELETE",
)
_VERSIONS = HISTORY.outerjoin(CURRENT, _BODY_OF_CURRENT)
_BODY = cast(func.coalesce(HISTORY.c.resource, CURRENT.c.resource), Text)

_KEEP_SUPERSEDED = text(
    "UPDATE fhir_history SET resource = (SELECT c.resource FROM fhir_resources c "
    "WHERE c.res_type = :res_type AND c.res_id = :res_id AND c.version = :version) "
    "WHERE res_type = :res_type AND res_id = :res_id AND version = :version "
    "AND resource IS NULL AND method <> 'DELETE'"
)


def keep_superseded(session: Session, res_type: str, res_id: str, version: int) -> None:
    """Before the current row (at `version`) is overwritten: its body goes to its history
    row, which is all that keeps it from then on."""
    session.execute(_KEEP_SUPERSEDED, {"res_type": res_type, "res_id": res_id, "version": version})


def get_version(session: Session, res_type: str, res_id: str, version: int) -> Any:
    """(version, last_updated, method, body text) of one version, or None."""
    query = select(HISTORY.c.version, HISTORY.c.last_updated, HISTORY.c.method, _BODY)
    return session.execute(
        query.select_from(_VERSIONS).where(
            HISTORY.c.res_type == res_type, HISTORY.c.res_id == res_id, HISTORY.c.version == version
        )
    ).first()


def history(
    session: Session,
    res_type: str,
    res_id: str | None,
    since: datetime | None,
    count: int,
    offset: int,
) -> list[Any]:
    """(type, id, version, last_updated, method, body text) rows, newest first."""
    query = select(
        HISTORY.c.res_type,
        HISTORY.c.res_id,
        HISTORY.c.version,
        HISTORY.c.last_updated,
        HISTORY.c.method,
        _BODY,
    ).select_from(_VERSIONS)
    query = query.where(HISTORY.c.res_type == res_type)
    if res_id is not None:
        query = query.where(HISTORY.c.res_id == res_id)
    if since is not None:
        query = query.where(HISTORY.c.last_updated >= since)
    order = (HISTORY.c.last_updated.desc(), HISTORY.c.res_id, HISTORY.c.version.desc())
    return list(session.execute(query.order_by(*order).limit(count).offset(offset)))
