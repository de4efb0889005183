"""Read the audit trail: who accessed a person's data, for the department and administrators."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from yteso.core.audit import service as audit
from yteso.core.auth.principal import Principal, Role
from yteso.core.web.deps import Db, require_roles

router = APIRouter(prefix="/api/audit", tags=["audit"])

Auditor = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.DOH_ANALYST), scope="function")
]


class AuditEventOut(BaseModel):
    id: int
    recorded_at: datetime
    actor_kind: str
    actor_id: str
    role: str | None
    facility_code: str | None
    action: str
    resource_type: str
    resource_id: str | None
    outcome: str
    detail: str | None

    model_config = {"from_attributes": True}


@router.get("", response_model=list[AuditEventOut])
def list_events(
    db: Db,
    _who: Auditor,
    resource_type: str | None = None,
    resource_id: str | None = None,
    since: datetime | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[AuditEventOut]:
    events = audit.recent(db, resource_type, resource_id, since, limit)
    return [AuditEventOut.model_validate(e) for e in events]
