"""Patient index routes: real-time match, review queue, merge and unmerge. All audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel

from yteso.core.audit import record
from yteso.core.auth.principal import ClientKind, Principal, Role
from yteso.core.errors import Forbidden
from yteso.core.web.deps import (
    CurrentPrincipal,
    Db,
    client_address,
    ensure_facility_scope,
    require_roles,
)
from yteso.patients import merges, review
from yteso.patients.access import handles_patients
from yteso.patients.linking import match_record
from yteso.patients.schemas import (
    MatchDecisionOut,
    MergeOut,
    PersonLinksOut,
    ReviewItemOut,
    SourceRecordIn,
)

router = APIRouter(prefix="/api/patients", tags=["patient index"])

Reviewer = Annotated[
    Principal,
    Depends(require_roles(Role.FACILITY_ADMIN, Role.DOH_ANALYST), scope="function"),
]
Merger = Annotated[Principal, Depends(require_roles(Role.DOH_ANALYST), scope="function")]


def actor(principal: Principal) -> str:
    return f"{principal.kind}:{principal.id}"


def _matcher(principal: CurrentPrincipal) -> Principal:
    if not handles_patients(principal):
        raise Forbidden(f"Vai trò '{principal.role}' không được ghép hồ sơ người bệnh")
    return principal


Matcher = Annotated[Principal, Depends(_matcher, scope="function")]


@router.post("/$match", response_model=MatchDecisionOut)
def match(request: Request, db: Db, who: Matcher, body: SourceRecordIn) -> MatchDecisionOut:
    """Link one incoming record to its person (or create one); returns decision and why."""
    ensure_facility_scope(request, who, body.facility_code, "match", "Person")
    decision = match_record(db, body, actor=actor(who))
    record(db, who, "match", "Person", str(decision.person_id),
           detail=f"{decision.outcome} {body.facility_code}/{body.local_id}",
           client_address=client_address(request))  # fmt: skip
    return decision


@router.get("/review", response_model=list[ReviewItemOut])
def list_review(
    request: Request,
    db: Db,
    who: Reviewer,
    status: Annotated[str, Query(pattern="^(open|accepted|rejected)$")] = "open",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReviewItemOut]:
    facility = None if who.is_province_wide else who.facility_code
    items = review.list_reviews(db, status, facility, limit)
    ids = ",".join(str(i.id) for i in items) or None
    record(db, who, "search", "PatientReview", ids, detail=status,
           client_address=client_address(request))  # fmt: skip
    return items


def ensure_reviewer_scope(
    request: Request, db: Db, who: Principal, item_id: int, action: str
) -> None:
    ensure_facility_scope(
        request, who, review.review_facility(db, item_id), action, "PatientReview"
    )


@router.get("/review/{item_id}", response_model=ReviewItemOut)
def get_review(request: Request, db: Db, who: Reviewer, item_id: int) -> ReviewItemOut:
    ensure_reviewer_scope(request, db, who, item_id, "read")
    item = review.get_review(db, item_id)
    record(db, who, "read", "PatientReview", str(item_id), client_address=client_address(request))
    return item


@router.post("/review/{item_id}/accept", response_model=ReviewItemOut)
def accept(request: Request, db: Db, who: Reviewer, item_id: int) -> ReviewItemOut:
    """Same person: the record's person is merged into the candidate."""
    ensure_reviewer_scope(request, db, who, item_id, "accept")
    item = review.accept(db, item_id, actor(who))
    record(db, who, "accept", "PatientReview", str(item_id),
           client_address=client_address(request))  # fmt: skip
    return item


@router.post("/review/{item_id}/reject", response_model=ReviewItemOut)
def reject(request: Request, db: Db, who: Reviewer, item_id: int) -> ReviewItemOut:
    """Two different people: the record keeps its own person."""
    ensure_reviewer_scope(request, db, who, item_id, "reject")
    item = review.reject(db, item_id, actor(who))
    record(db, who, "reject", "PatientReview", str(item_id),
           client_address=client_address(request))  # fmt: skip
    return item


class MergeIn(BaseModel):
    survivor_id: int
    merged_id: int


@router.post("/merges", response_model=MergeOut)
def merge(request: Request, db: Db, who: Merger, body: MergeIn) -> MergeOut:
    done = merges.merge_persons(db, body.survivor_id, body.merged_id, actor(who))
    record(db, who, "merge", "Person", f"{body.survivor_id}<-{body.merged_id}",
           client_address=client_address(request))  # fmt: skip
    return done


@router.post("/merges/{merge_id}/undo", response_model=MergeOut)
def unmerge(request: Request, db: Db, who: Merger, merge_id: int) -> MergeOut:
    done = merges.unmerge(db, merge_id, actor(who))
    record(db, who, "unmerge", "Person", f"{done.survivor_id}->{done.merged_id}",
           client_address=client_address(request))  # fmt: skip
    return done


def _people_reader(principal: CurrentPrincipal) -> Principal:
    # A person's links span facilities: facility systems yes, kiosks no.
    if not handles_patients(principal, frozenset({ClientKind.HIS})):
        raise Forbidden(f"Vai trò '{principal.role}' không được xem thông tin cá nhân người bệnh")
    return principal


@router.get("/persons/{person_id}/links", response_model=PersonLinksOut)
def person_links(
    request: Request,
    db: Db,
    who: Annotated[Principal, Depends(_people_reader, scope="function")],
    person_id: int,
) -> PersonLinksOut:
    """Source records linked to the person, the link history and merges."""
    links = merges.person_links(db, person_id)
    record(db, who, "read", "PersonLinks", str(person_id), client_address=client_address(request))
    return links
