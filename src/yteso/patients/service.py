"""Person model use cases. Takes the session first and never commits."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from typing import Any

from sqlalchemy.orm import Session

from yteso.core.db import utcnow
from yteso.core.errors import Conflict, NotFound
from yteso.core.text import fold, nfc
from yteso.patients import repository
from yteso.patients.birth_dates import BirthDate
from yteso.patients.features import RawRecord, blocking_keys, key_hashes, prepare
from yteso.patients.models import Person, PersonIdentifier
from yteso.patients.schemas import IdentifierKind, PersonIn, PersonOut


def _full_name(person: PersonIn) -> str:
    return nfc(
        " ".join(p for p in (person.family_name, person.middle_name, person.given_name) if p)
    )


def add_person(session: Session, data: PersonIn, is_demo: bool = False) -> PersonOut:
    pairs = [(i.kind.value, i.value) for i in data.identifiers]
    taken = repository.taken_identifiers(session, pairs)
    if taken:
        listed = ", ".join(f"{kind} {value}" for kind, value in sorted(taken))
        raise Conflict(f"Định danh đã thuộc về người khác: {listed}")
    full_name = _full_name(data)
    person = Person(
        family_name=nfc(data.family_name),
        middle_name=nfc(data.middle_name),
        given_name=nfc(data.given_name),
        full_name=full_name,
        name_key=fold(full_name),
        sex=data.sex,
        birth_date=data.birth_date,
        birth_date_precision=data.birth_date_precision,
        commune_code=data.commune_code,
        address_line=nfc(data.address_line) if data.address_line else None,
        phone=data.phone,
        is_demo=is_demo,
        identifiers=[PersonIdentifier(kind=k, value=v) for k, v in pairs],
    )
    session.add(person)
    session.flush()
    repository.add_block_keys(session, person.id, _key_hashes(data))
    return PersonOut.model_validate(person)


def _key_hashes(person: PersonIn) -> list[int]:
    """The blocking keys real-time matching finds this person by."""
    values = {i.kind: i.value for i in person.identifiers}
    birth = ""
    if person.birth_date is not None:
        birth = BirthDate.from_stored(person.birth_date, person.birth_date_precision).iso()
    raw = RawRecord(
        record_id="",
        full_name=_full_name(person),
        birth_date=birth,
        sex=str(person.sex),
        cccd=values.get(IdentifierKind.NATIONAL_ID, ""),
        bhyt=values.get(IdentifierKind.INSURANCE_NUMBER, ""),
        commune_code=person.commune_code or "",
        phone=person.phone or "",
    )
    return key_hashes(blocking_keys(prepare(raw)))


def get_person(session: Session, person_id: int) -> PersonOut:
    person = repository.get(session, person_id)
    if person is None:
        raise NotFound(f"Không có người mã {person_id}")
    return PersonOut.model_validate(person)


def find_by_identifier(session: Session, kind: IdentifierKind, value: str) -> PersonOut | None:
    person = repository.by_identifier(session, kind.value, value.strip().upper())
    return PersonOut.model_validate(person) if person else None


# Values per query: well under SQLite's and PostgreSQL's limits on bound parameters.
_LOOKUP_CHUNK = 5000


def people_by_identifiers(
    session: Session, identifiers: Iterable[tuple[IdentifierKind, str]]
) -> dict[tuple[IdentifierKind, str], int]:
    """Person ids of many identifiers at once (bulk loads); unknown identifiers left out.
    Values are compared as given: normalise them as find_by_identifier does."""
    by_kind: dict[IdentifierKind, set[str]] = {}
    for kind, value in identifiers:
        by_kind.setdefault(kind, set()).add(value)
    found: dict[tuple[IdentifierKind, str], int] = {}
    for kind, values in by_kind.items():
        ordered = sorted(values)
        for start in range(0, len(ordered), _LOOKUP_CHUNK):
            chunk = ordered[start : start + _LOOKUP_CHUNK]
            rows = repository.people_by_identifiers(session, kind.value, chunk)
            found.update({(kind, value): person for value, person in rows.items()})
    return found


def search_by_name(
    session: Session, name: str, birth_year: int | None = None, limit: int = 20
) -> list[PersonOut]:
    people = repository.by_name(session, fold(name), birth_year, limit)
    return [PersonOut.model_validate(p) for p in people]


def count_people(session: Session) -> int:
    return repository.count(session)


def _rows(
    person: PersonIn, person_id: int, is_demo: bool
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    full_name = _full_name(person)
    now = utcnow()
    row = {
        "id": person_id,
        "family_name": person.family_name,
        "middle_name": person.middle_name,
        "given_name": person.given_name,
        "full_name": full_name,
        "name_key": fold(full_name),
        "sex": person.sex,
        "birth_date": person.birth_date,
        "birth_date_precision": person.birth_date_precision,
        "commune_code": person.commune_code,
        "address_line": person.address_line,
        "phone": person.phone,
        "is_demo": is_demo,
        "created_at": now,
        "updated_at": now,
    }
    identifiers = [
        {"person_id": person_id, "kind": i.kind.value, "value": i.value} for i in person.identifiers
    ]
    keys = [{"key_hash": h, "person_id": person_id} for h in set(_key_hashes(person))]
    return row, identifiers, keys


def bulk_add_people(
    session: Session,
    people: Iterable[PersonIn],
    is_demo: bool = False,
    batch_size: int = 5000,
    processes: int = 0,
) -> Iterator[int]:
    """Insert many people fast (seeding, back-fills); yields the count after each batch.

    For loads into an index nobody else is writing to at the time: identifiers are trusted
    to be unique (the database still refuses duplicates, failing the whole transaction).
    """
    batches = _numbered(people, batch_size, repository.next_id(session))
    for person_rows, identifier_rows, key_rows in _prepared_batches(batches, is_demo, processes):
        repository.insert_rows(session, person_rows, identifier_rows, key_rows)
        yield len(person_rows)


_Batch = tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]
# Batches prepared ahead of the inserts when other processes prepare them; bounds memory.
_AHEAD = 4


def _numbered(
    people: Iterable[PersonIn], batch_size: int, first_id: int
) -> Iterator[tuple[list[PersonIn], int]]:
    iterator = iter(people)
    while batch := list(islice(iterator, batch_size)):
        yield batch, first_id
        first_id += len(batch)


def _prepare(batch: list[PersonIn], first_id: int, is_demo: bool) -> _Batch:
    """Rows of one batch: the person, its identifiers and its blocking keys."""
    person_rows: list[dict[str, Any]] = []
    identifier_rows: list[dict[str, Any]] = []
    key_rows: list[dict[str, Any]] = []
    for offset, person in enumerate(batch):
        row, identifiers, keys = _rows(person, first_id + offset, is_demo)
        person_rows.append(row)
        identifier_rows += identifiers
        key_rows += keys
    return person_rows, identifier_rows, key_rows


def _prepared_batches(
    batches: Iterator[tuple[list[PersonIn], int]], is_demo: bool, processes: int
) -> Iterator[_Batch]:
    """Batch rows in order; with `processes`, computed there while this one inserts.

    Name keys and blocking-key hashes cost as much as the inserts, so a second core
    preparing them roughly halves a province-sized load."""
    if processes < 1:
        yield from (_prepare(batch, first, is_demo) for batch, first in batches)
        return
    with ProcessPoolExecutor(processes) as pool:
        ahead: deque[Future[_Batch]] = deque()
        for batch, first in batches:
            ahead.append(pool.submit(_prepare, batch, first, is_demo))
            if len(ahead) > _AHEAD:
                yield ahead.popleft().result()
        while ahead:
            yield ahead.popleft().result()
