"""What matching a batch of records reads from the index and writes to it.

The index rows the batch needs (its source records, the people sharing its blocking keys,
the owners of its identifiers) are read with a few queries; records are then linked one
after the other in memory, each seeing what the earlier ones changed (a person created,
an identifier or a key added), exactly as if matched one by one; the new rows are written
at the end with one statement per table. One record is a batch of one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TypeVar

from sqlalchemy.orm import Session

from yteso.core.text import fold
from yteso.patients import repository
from yteso.patients.features import BLOCKING_RULES, MatchRecord, blocking_keys, key_hashes
from yteso.patients.matching import PairDecision
from yteso.patients.models import LinkEvent, Person, PersonIdentifier, ReviewItem, SourceRecord
from yteso.patients.names import split_name
from yteso.patients.schemas import IdentifierKind, SourceRecordIn

# Enough for the largest block of a province (a common name in one birth year).
MAX_CANDIDATES = 200
_CHUNK = 5000  # values per IN list: well under both databases' bound-parameter limits
_MATCHED_KINDS = (IdentifierKind.NATIONAL_ID.value, IdentifierKind.INSURANCE_NUMBER.value)
T = TypeVar("T")


def hashes_of(features: MatchRecord) -> list[int]:
    return key_hashes(blocking_keys(features))


def _wanted_identifiers(features: MatchRecord) -> list[tuple[str, str]]:
    pairs = zip(_MATCHED_KINDS, (features.cccd, features.bhyt), strict=True)
    return [(kind, value) for kind, value in pairs if value]


def _chunks(values: Sequence[T], size: int = _CHUNK) -> list[list[T]]:
    return [list(values[i : i + size]) for i in range(0, len(values), size)]


class IndexBatch:
    """The index as a batch of records sees it, kept current in memory while they are linked.

    Persons are referred to by object: a new one has no id until `write`."""

    def __init__(self) -> None:
        self.sources: dict[tuple[str, str], SourceRecord] = {}
        self._blocks: dict[int, list[Person]] = {}
        self._owners: dict[tuple[str, str], Person] = {}
        self._new_people: list[Person] = []
        self._new_sources: list[tuple[SourceRecord, Person]] = []
        self._keys: list[tuple[int, Person]] = []
        self._events: list[tuple[SourceRecord, str, str, PairDecision | None, str | None]] = []
        self._reviews: list[tuple[SourceRecord, Person | None, PairDecision | None, str]] = []

    @classmethod
    def load(
        cls, session: Session, records: Sequence[SourceRecordIn], features: Sequence[MatchRecord]
    ) -> IndexBatch:
        batch = cls()
        by_facility: dict[str, set[str]] = {}
        for record in records:
            by_facility.setdefault(record.facility_code, set()).add(record.local_id)
        for facility, local_ids in by_facility.items():
            for chunk in _chunks(sorted(local_ids)):
                for source in repository.source_records(session, facility, chunk):
                    batch.sources[(source.facility_code, source.local_id)] = source
        unknown = [
            f for r, f in zip(records, features, strict=True)
            if (r.facility_code, r.local_id) not in batch.sources
        ]  # fmt: skip
        if unknown:
            batch._load_people(session, unknown)
        return batch

    def _load_people(self, session: Session, features: list[MatchRecord]) -> None:
        """The people sharing a key with the records (at most MAX_CANDIDATES per record), and
        the owners of their identifiers."""
        by_hash: dict[int, list[int]] = {}
        hashes = sorted({h for f in features for h in hashes_of(f)})
        for chunk in _chunks(hashes):
            for key_hash, person_id in repository.block_members(session, chunk, MAX_CANDIDATES):
                by_hash.setdefault(key_hash, []).append(person_id)
        wanted: set[int] = set()
        for record in features:
            found = dict.fromkeys(i for h in hashes_of(record) for i in by_hash.get(h, ()))
            wanted.update(list(found)[:MAX_CANDIDATES])
        owner_ids: dict[tuple[str, str], int] = {}
        pairs = sorted({pair for f in features for pair in _wanted_identifiers(f)})
        for part in _chunks(pairs):
            owner_ids.update(repository.identifier_owners(session, part))
        ids = sorted(wanted | set(owner_ids.values()))
        people: dict[int, Person] = {}
        for chunk in _chunks(ids):
            people.update({p.id: p for p in repository.people(session, chunk)})
        self._blocks = {
            h: [people[i] for i in members if i in people] for h, members in by_hash.items()
        }
        self._owners = {key: people[pid] for key, pid in owner_ids.items() if pid in people}

    def candidates(self, hashes: list[int]) -> list[Person]:
        """People sharing a key with the record: stored ones by id, then new ones."""
        found = {id(p): p for h in hashes for p in self._blocks.get(h, ())}
        ordered = sorted(found.values(), key=lambda p: (p.id is None, p.id or 0))
        return ordered[:MAX_CANDIDATES]

    def new_person(self, features: MatchRecord, record: SourceRecordIn) -> Person:
        name = split_name(record.full_name)
        birth = features.birth
        person = Person(
            family_name=name.family,
            middle_name=name.middle,
            given_name=name.given,
            full_name=name.full,
            name_key=fold(name.full),
            sex=record.sex,
            birth_date=birth.as_date() if birth else None,
            birth_date_precision=birth.precision if birth else "day",
            commune_code=features.commune,
            address_line=record.address_line,
            phone=features.phone,
            identifiers=[],
        )
        self._new_people.append(person)
        return person

    def attach(
        self, person: Person, features: MatchRecord, record: SourceRecordIn, hashes: list[int],
        needs_review: bool,
    ) -> SourceRecord:  # fmt: skip
        """The facility's record, linked to the person, who becomes findable by its keys."""
        source = SourceRecord(
            facility_code=record.facility_code,
            local_id=record.local_id,
            person_id=person.id,
            origin=record.origin,
            full_name=features.display_name,
            birth_date=features.birth.iso() if features.birth else "",
            sex=record.sex,
            identifiers=_valid_identifiers(features, record),
            commune_code=features.commune,
            address_line=record.address_line,
            phone=features.phone,
            needs_review=needs_review,
        )
        self.sources[(record.facility_code, record.local_id)] = source
        self._new_sources.append((source, person))
        person.phone = person.phone or features.phone
        person.commune_code = person.commune_code or features.commune
        for key_hash in dict.fromkeys(hashes):
            members = self._blocks.setdefault(key_hash, [])
            if not any(member is person for member in members):
                members.append(person)
                self._keys.append((key_hash, person))
        return source

    def add_identifiers(self, person: Person, features: MatchRecord) -> list[Person]:
        """Give the person the record's valid identifiers; other persons already holding one
        (a typo'd or shared number: never moved silently)."""
        conflicts = []
        held = {(i.kind, i.value) for i in person.identifiers}
        for kind, value in _wanted_identifiers(features):
            if (kind, value) in held:
                continue
            owner = self._owners.get((kind, value))
            if owner is not None and owner is not person:
                conflicts.append(owner)
            elif owner is None and (kind != "national_id" or features.cccd_confirmed):
                person.identifiers.append(PersonIdentifier(kind=kind, value=value))
                self._owners[(kind, value)] = person
        return conflicts

    def log(
        self, source: SourceRecord, action: str, rule: str, decision: PairDecision | None,
        actor: str | None,
    ) -> None:  # fmt: skip
        self._events.append((source, action, rule, decision, actor))

    def queue_review(
        self, source: SourceRecord, candidate: Person | None, decision: PairDecision | None,
        reason: str,
    ) -> None:  # fmt: skip
        self._reviews.append((source, candidate, decision, reason))

    def write(self, session: Session) -> None:
        """Persons (with their identifiers), then source records; the link events and review
        items naming them are written with the session's next flush (at the latest, the
        commit), as the records of one statement per table."""
        if self._new_people:
            session.add_all(self._new_people)
            session.flush()
        for source, person in self._new_sources:
            source.person_id = person.id
        session.add_all([source for source, _person in self._new_sources])
        self._write_keys(session)
        session.flush()
        session.add_all(
            LinkEvent(
                source_record_id=source.id, person_id=source.person_id, action=action,
                rule=rule, score=decision.weight if decision else None,
                explanation=_evidence_rows(decision), actor=actor,
            )
            for source, action, rule, decision, actor in self._events
        )  # fmt: skip
        session.add_all(
            ReviewItem(
                source_record_id=source.id, candidate_person_id=candidate.id if candidate else None,
                facility_code=source.facility_code, score=decision.weight if decision else None,
                explanation=_evidence_rows(decision), reason=reason,
            )
            for source, candidate, decision, reason in self._reviews
        )  # fmt: skip

    def _write_keys(self, session: Session) -> None:
        """New (key, person) pairs: a stored person may hold a key past the candidates read."""
        new = {id(p) for p in self._new_people}
        stored: dict[int, set[int]] = {}  # person id -> hashes
        for key_hash, person in self._keys:
            if id(person) not in new:
                stored.setdefault(person.id, set()).add(key_hash)
        held: set[tuple[int, int]] = set()
        for chunk in _chunks(sorted(stored), _CHUNK // len(BLOCKING_RULES)):
            hashes = sorted({h for person_id in chunk for h in stored[person_id]})
            held |= repository.held_block_keys(session, chunk, hashes)
        rows = [{"key_hash": h, "person_id": p.id} for h, p in self._keys if (h, p.id) not in held]
        repository.insert_rows(session, [], [], rows)


def _valid_identifiers(features: MatchRecord, record: SourceRecordIn) -> dict[str, str]:
    found = {}
    if features.cccd:
        found[IdentifierKind.NATIONAL_ID.value] = features.cccd
    if features.bhyt:
        found[IdentifierKind.INSURANCE_NUMBER.value] = features.bhyt
    # CCCD and BHYT were checked by prepare(); the other kinds by features_of().
    checked = {IdentifierKind.NATIONAL_ID, IdentifierKind.INSURANCE_NUMBER}
    bad = {p.field for p in features.problems}
    for identifier in record.identifiers:
        if identifier.kind not in checked and identifier.kind.value not in bad:
            found[identifier.kind.value] = "".join(identifier.value.split()).upper()
    return found


def _evidence_rows(decision: PairDecision | None) -> list[dict[str, object]]:
    return [asdict(e) for e in decision.evidence] if decision else []
