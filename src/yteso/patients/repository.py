"""All queries on persons and their identifiers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from yteso.patients.models import (
    Person,
    PersonBlockKey,
    PersonIdentifier,
    ReviewItem,
    SourceRecord,
)


def get(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def by_identifier(session: Session, kind: str, value: str) -> Person | None:
    query = (
        select(Person)
        .join(PersonIdentifier, PersonIdentifier.person_id == Person.id)
        .where(PersonIdentifier.kind == kind, PersonIdentifier.value == value)
    )
    return session.scalars(query).first()


def people_by_identifiers(session: Session, kind: str, values: Sequence[str]) -> dict[str, int]:
    """Person id by identifier value, for the values of one kind that are known."""
    query = select(PersonIdentifier.value, PersonIdentifier.person_id).where(
        PersonIdentifier.kind == kind, PersonIdentifier.value.in_(values)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def identifier_owners(
    session: Session, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], int]:
    """Person id by (kind, value), for the identifiers that are known (one query)."""
    if not pairs:
        return {}
    query = select(PersonIdentifier.kind, PersonIdentifier.value, PersonIdentifier.person_id).where(
        PersonIdentifier.kind.in_(sorted({kind for kind, _value in pairs})),
        PersonIdentifier.value.in_(sorted({value for _kind, value in pairs})),
    )
    wanted = set(pairs)
    return {(k, v): pid for k, v, pid in session.execute(query) if (k, v) in wanted}


def taken_identifiers(session: Session, pairs: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    taken: set[tuple[str, str]] = set()
    for kind, value in pairs:
        query = select(PersonIdentifier.person_id).where(
            PersonIdentifier.kind == kind, PersonIdentifier.value == value
        )
        if session.scalar(query) is not None:
            taken.add((kind, value))
    return taken


def by_name(session: Session, name_key: str, birth_year: int | None, limit: int) -> list[Person]:
    query = (
        select(Person).where(Person.name_key.startswith(name_key)).order_by(Person.id).limit(limit)
    )
    if birth_year is not None:
        query = query.where(func.extract("year", Person.birth_date) == birth_year)
    return list(session.scalars(query))


def next_id(session: Session) -> int:
    return (session.scalar(select(func.max(Person.id))) or 0) + 1


def insert_rows(
    session: Session,
    people: Sequence[dict[str, Any]],
    identifiers: Sequence[dict[str, Any]],
    block_keys: Sequence[dict[str, Any]] = (),
) -> None:
    """Bulk insert with ids chosen by the caller: one executemany per table.

    Core inserts on the session's connection, because ORM bulk inserts split the batch into
    a statement per run of rows with the same columns set (phone or not, BHYT or not).
    """
    connection = session.connection()
    if people:
        connection.execute(insert(Person), list(people))
        if connection.dialect.name == "postgresql":
            # Explicit ids leave the serial sequence behind; later single inserts would
            # collide with the rows just written.
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence('persons', 'id'), :last)"),
                {"last": max(row["id"] for row in people)},
            )
    if identifiers:
        connection.execute(insert(PersonIdentifier), list(identifiers))
    if block_keys:
        connection.execute(insert(PersonBlockKey), list(block_keys))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0


def source_records(
    session: Session, facility_code: str, local_ids: Sequence[str]
) -> list[SourceRecord]:
    """The stored source records of one facility among these local ids."""
    if not local_ids:
        return []
    query = select(SourceRecord).where(
        SourceRecord.facility_code == facility_code, SourceRecord.local_id.in_(list(local_ids))
    )
    return list(session.scalars(query))


def block_members(session: Session, hashes: Sequence[int], limit: int) -> list[tuple[int, int]]:
    """(key hash, person id) of people holding these keys, at most `limit` per key."""
    if not hashes:
        return []
    rank = func.row_number().over(
        partition_by=PersonBlockKey.key_hash, order_by=PersonBlockKey.person_id
    )
    ranked = (
        select(PersonBlockKey.key_hash, PersonBlockKey.person_id, rank.label("rank"))
        .where(PersonBlockKey.key_hash.in_(list(hashes)))
        .subquery()
    )
    query = select(ranked.c.key_hash, ranked.c.person_id).where(ranked.c.rank <= limit)
    return [(row[0], row[1]) for row in session.execute(query)]


def held_block_keys(
    session: Session, person_ids: Sequence[int], hashes: Sequence[int]
) -> set[tuple[int, int]]:
    """(key hash, person id) pairs already stored among these people and keys."""
    if not person_ids or not hashes:
        return set()
    query = select(PersonBlockKey.key_hash, PersonBlockKey.person_id).where(
        PersonBlockKey.person_id.in_(list(person_ids)),
        PersonBlockKey.key_hash.in_(list(hashes)),
    )
    return {(row[0], row[1]) for row in session.execute(query)}


def people(session: Session, ids: Sequence[int]) -> list[Person]:
    if not ids:
        return []
    return list(session.scalars(select(Person).where(Person.id.in_(list(ids)))))


def add_block_keys(session: Session, person_id: int, hashes: Iterable[int]) -> None:
    wanted = set(hashes)
    known = set(
        session.scalars(
            select(PersonBlockKey.key_hash).where(
                PersonBlockKey.person_id == person_id, PersonBlockKey.key_hash.in_(list(wanted))
            )
        )
    )
    rows = [{"key_hash": h, "person_id": person_id} for h in sorted(wanted - known)]
    if rows:
        session.execute(insert(PersonBlockKey), rows)


def drop_block_keys(session: Session, person_id: int) -> None:
    session.execute(delete(PersonBlockKey).where(PersonBlockKey.person_id == person_id))


def source_records_of(session: Session, person_id: int) -> list[SourceRecord]:
    query = (
        select(SourceRecord).where(SourceRecord.person_id == person_id).order_by(SourceRecord.id)
    )
    return list(session.scalars(query))


def review_items(
    session: Session, status: str, facility_code: str | None, limit: int
) -> list[ReviewItem]:
    query = select(ReviewItem).where(ReviewItem.status == status)
    if facility_code is not None:
        query = query.where(ReviewItem.facility_code == facility_code)
    return list(session.scalars(query.order_by(ReviewItem.id).limit(limit)))


def open_reviews_of(session: Session, source_record_id: int) -> list[ReviewItem]:
    query = select(ReviewItem).where(
        ReviewItem.source_record_id == source_record_id, ReviewItem.status == "open"
    )
    return list(session.scalars(query))
