"""Merging two persons found to be one, and undoing it. No source record is ever lost: a
merge only moves links, and remembers what it moved so unmerge puts back exactly that."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.patients import repository
from yteso.patients.features import RawRecord, blocking_keys, key_hashes, prepare
from yteso.patients.linking import golden_record
from yteso.patients.models import LinkEvent, Person, PersonIdentifier, PersonMerge, SourceRecord
from yteso.patients.schemas import LinkEventOut, MergeOut, PersonLinksOut, SourceRecordOut


def _person(session: Session, person_id: int) -> Person:
    person = repository.get(session, person_id)
    if person is None:
        raise NotFound(f"Không có người mã {person_id}")
    return person


def _out(merge: PersonMerge) -> MergeOut:
    return MergeOut(
        id=merge.id,
        survivor_id=merge.survivor_id,
        merged_id=merge.merged_id,
        source_record_ids=list(merge.source_record_ids),
        undone=merge.undone_at is not None,
    )


def _move(session: Session, records: list[SourceRecord], to: int, action: str,
          actor: str | None) -> None:  # fmt: skip
    for record in records:
        record.person_id = to
        session.add(LinkEvent(source_record_id=record.id, person_id=to, action=action,
                              rule="manual", score=None, explanation=[], actor=actor))  # fmt: skip


def _give(session: Session, identifiers: list[PersonIdentifier], giver: Person,
          taker: Person) -> None:  # fmt: skip
    # Re-pointed rather than moved between collections, which delete-orphan would delete.
    for identifier in identifiers:
        identifier.person_id = taker.id
    session.flush()
    session.expire(giver, ["identifiers"])
    session.expire(taker, ["identifiers"])


def source_keys(record: SourceRecord) -> list[int]:
    raw = RawRecord(
        record_id=str(record.id),
        full_name=record.full_name,
        birth_date=record.birth_date,
        sex=str(record.sex),
        cccd=record.identifiers.get("national_id", ""),
        bhyt=record.identifiers.get("insurance_number", ""),
        commune_code=record.commune_code or "",
        phone=record.phone or "",
    )
    return key_hashes(blocking_keys(prepare(raw)))


def reindex(session: Session, person: Person) -> None:
    """Rebuild a person's blocking keys from its golden record and linked source records."""
    repository.drop_block_keys(session, person.id)
    keys = set(key_hashes(blocking_keys(golden_record(person))))
    for record in repository.source_records_of(session, person.id):
        keys.update(source_keys(record))
    repository.add_block_keys(session, person.id, keys)


def merge_persons(
    session: Session, survivor_id: int, merged_id: int, actor: str | None
) -> MergeOut:
    """Move every source record and identifier of `merged_id` to `survivor_id`."""
    if survivor_id == merged_id:
        raise Conflict("Không thể gộp một người với chính họ")
    survivor, merged = _person(session, survivor_id), _person(session, merged_id)
    records = repository.source_records_of(session, merged.id)
    identifiers = list(merged.identifiers)
    _move(session, records, survivor.id, "merged", actor)
    _give(session, identifiers, merged, survivor)
    merge = PersonMerge(
        survivor_id=survivor.id,
        merged_id=merged.id,
        source_record_ids=[r.id for r in records],
        identifier_ids=[i.id for i in identifiers],
        actor=actor,
    )
    session.add(merge)
    session.flush()
    # The merged person stays, without records, and is no longer offered as a candidate.
    repository.drop_block_keys(session, merged.id)
    reindex(session, survivor)
    return _out(merge)


def unmerge(session: Session, merge_id: int, actor: str | None) -> MergeOut:
    merge = session.get(PersonMerge, merge_id)
    if merge is None:
        raise NotFound(f"Không có lần gộp mã {merge_id}")
    if merge.undone_at is not None:
        raise Conflict(f"Lần gộp {merge_id} đã được hoàn tác")
    survivor, merged = _person(session, merge.survivor_id), _person(session, merge.merged_id)
    moved = set(merge.source_record_ids)
    records = [r for r in repository.source_records_of(session, survivor.id) if r.id in moved]
    _move(session, records, merged.id, "unmerged", actor)
    ids = set(merge.identifier_ids)
    _give(session, [i for i in survivor.identifiers if i.id in ids], survivor, merged)
    merge.undone_at, merge.undone_by = utcnow(), actor
    session.flush()
    reindex(session, survivor)
    reindex(session, merged)
    return _out(merge)


def person_links(session: Session, person_id: int) -> PersonLinksOut:
    """Every source record ever linked to the person, with how and when."""
    _person(session, person_id)
    merges = select(PersonMerge).where(
        (PersonMerge.survivor_id == person_id) | (PersonMerge.merged_id == person_id)
    )
    records = repository.source_records_of(session, person_id)
    events = select(LinkEvent).where(
        LinkEvent.source_record_id.in_([r.id for r in records]) | (LinkEvent.person_id == person_id)
    )
    return PersonLinksOut(
        person_id=person_id,
        source_records=[SourceRecordOut.model_validate(r) for r in records],
        history=[
            LinkEventOut.model_validate(e) for e in session.scalars(events.order_by(LinkEvent.id))
        ],
        merges=[_out(m) for m in session.scalars(merges.order_by(PersonMerge.id))],
    )
