"""All queries on persons and their identifiers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from yteso.patients.models import Person, PersonIdentifier


def get(session: Session, person_id: int) -> Person | None:
    return session.get(Person, person_id)


def by_identifier(session: Session, kind: str, value: str) -> Person | None:
    query = (
        select(Person)
        .join(PersonIdentifier, PersonIdentifier.person_id == Person.id)
        .where(PersonIdentifier.kind == kind, PersonIdentifier.value == value)
    )
    return session.scalars(query).first()


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
    session: Session, people: Sequence[dict[str, Any]], identifiers: Sequence[dict[str, Any]]
) -> None:
    """Bulk insert with ids chosen by the caller: one executemany per table.

    Core inserts on the session's connection, because ORM bulk inserts split the batch into
    a statement per run of rows with the same columns set (phone or not, BHYT or not).
    """
    connection = session.connection()
    if people:
        connection.execute(insert(Person), list(people))
    if identifiers:
        connection.execute(insert(PersonIdentifier), list(identifiers))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Person)) or 0
