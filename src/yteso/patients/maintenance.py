"""Rebuilding the real-time blocking index, e.g. after the blocking rules change (the stored
keys are hashes of the rules' keys, so a new rule means new keys for everyone)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from yteso.patients.features import blocking_keys, key_hashes
from yteso.patients.linking import golden_record
from yteso.patients.merges import source_keys
from yteso.patients.models import Person, PersonBlockKey, PersonMerge, SourceRecord


def _merged_away(session: Session) -> set[int]:
    query = select(PersonMerge.merged_id).where(PersonMerge.undone_at.is_(None))
    return set(session.scalars(query))


def _batch_keys(session: Session, people: list[Person], skip: set[int]) -> list[dict[str, int]]:
    keys: dict[int, set[int]] = {
        p.id: set(key_hashes(blocking_keys(golden_record(p)))) for p in people if p.id not in skip
    }
    records = select(SourceRecord).where(SourceRecord.person_id.in_(list(keys)))
    for record in session.scalars(records):
        keys[record.person_id].update(source_keys(record))
    return [{"key_hash": h, "person_id": pid} for pid, hashes in keys.items() for h in hashes]


def reindex_all(session: Session, batch_size: int = 5000) -> Iterator[int]:
    """Drop and rebuild every person's keys; yields the count after each batch."""
    session.execute(delete(PersonBlockKey))
    skip = _merged_away(session)
    last = 0
    while True:
        query = select(Person).where(Person.id > last).order_by(Person.id).limit(batch_size)
        people = list(session.scalars(query))
        if not people:
            return
        rows = _batch_keys(session, people, skip)
        if rows:
            session.execute(insert(PersonBlockKey), rows)
        last = people[-1].id
        yield len(people)
