"""The review queue: pairs the index was not sure about, decided by a person."""

from __future__ import annotations

from sqlalchemy.orm import Session

from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.patients import repository
from yteso.patients.merges import merge_persons
from yteso.patients.models import ReviewItem, SourceRecord
from yteso.patients.schemas import (
    FieldEvidenceOut,
    PersonOut,
    ReviewItemOut,
    SourceRecordOut,
)


def _out(session: Session, item: ReviewItem) -> ReviewItemOut:
    record = session.get(SourceRecord, item.source_record_id)
    if record is None:  # a foreign key guarantees it; here for the type checker
        raise NotFound(f"Không có hồ sơ nguồn {item.source_record_id}")
    candidate = None
    if item.candidate_person_id is not None:
        person = repository.get(session, item.candidate_person_id)
        candidate = PersonOut.model_validate(person) if person else None
    return ReviewItemOut(
        id=item.id,
        status=item.status,
        reason=item.reason,
        score=item.score,
        explanation=[FieldEvidenceOut.model_validate(e) for e in item.explanation],
        record=SourceRecordOut.model_validate(record),
        candidate=candidate,
    )


def list_reviews(
    session: Session, status: str = "open", facility_code: str | None = None, limit: int = 50
) -> list[ReviewItemOut]:
    """Items of one facility (None: every facility), oldest first."""
    items = repository.review_items(session, status, facility_code, limit)
    return [_out(session, item) for item in items]


def get_review(session: Session, item_id: int) -> ReviewItemOut:
    return _out(session, _item(session, item_id))


def _item(session: Session, item_id: int) -> ReviewItem:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(f"Không có mục xem xét mã {item_id}")
    return item


def review_facility(session: Session, item_id: int) -> str:
    return _item(session, item_id).facility_code


def _close(session: Session, item: ReviewItem, status: str, actor: str) -> None:
    if item.status != "open":
        raise Conflict(f"Mục xem xét {item.id} đã được quyết định ({item.status})")
    item.status, item.decided_by, item.decided_at = status, actor, utcnow()
    session.flush()
    record = session.get(SourceRecord, item.source_record_id)
    if record is not None and not repository.open_reviews_of(session, record.id):
        record.needs_review = False


def accept(session: Session, item_id: int, actor: str) -> ReviewItemOut:
    """Same person: the record's person is merged into the candidate (undoable)."""
    item = _item(session, item_id)
    record = session.get(SourceRecord, item.source_record_id)
    candidate = item.candidate_person_id
    _close(session, item, "accepted", actor)
    if record is not None and candidate is not None and record.person_id != candidate:
        merge_persons(session, candidate, record.person_id, actor)
    return _out(session, item)


def reject(session: Session, item_id: int, actor: str) -> ReviewItemOut:
    """Two people: the record stays with its own person."""
    item = _item(session, item_id)
    _close(session, item, "rejected", actor)
    return _out(session, item)
