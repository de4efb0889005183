"""Rows the real-time index writes: new persons, source records, links, review items."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from yteso.core.text import fold
from yteso.patients import repository
from yteso.patients.features import MatchRecord, blocking_keys, key_hashes
from yteso.patients.matching import PairDecision
from yteso.patients.models import LinkEvent, Person, PersonIdentifier, ReviewItem, SourceRecord
from yteso.patients.names import split_name
from yteso.patients.schemas import IdentifierKind, SourceRecordIn


def new_person(session: Session, features: MatchRecord, record: SourceRecordIn) -> Person:
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
    )
    session.add(person)
    session.flush()
    return person


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


def attach(
    session: Session, person: Person, features: MatchRecord, record: SourceRecordIn,
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
    session.add(source)
    person.phone = person.phone or features.phone
    person.commune_code = person.commune_code or features.commune
    session.flush()
    repository.add_block_keys(session, person.id, key_hashes(blocking_keys(features)))
    return source


def add_identifiers(session: Session, person: Person, features: MatchRecord) -> list[int]:
    """Give the person the record's valid identifiers; ids of other persons already holding
    one (a typo'd or shared number: never moved silently)."""
    conflicts = []
    wanted = [("national_id", features.cccd), ("insurance_number", features.bhyt)]
    held = {(i.kind, i.value) for i in person.identifiers}
    for kind, value in wanted:
        if not value or (kind, value) in held:
            continue
        owner = repository.identifier_owner(session, kind, value)
        if owner is not None and owner != person.id:
            conflicts.append(owner)
        elif owner is None and (kind != "national_id" or features.cccd_confirmed):
            person.identifiers.append(PersonIdentifier(kind=kind, value=value))
    session.flush()
    return conflicts


def evidence_rows(decision: PairDecision | None) -> list[dict[str, object]]:
    return [asdict(e) for e in decision.evidence] if decision else []


def log(
    session: Session, source: SourceRecord, action: str, rule: str,
    decision: PairDecision | None, actor: str | None,
) -> None:  # fmt: skip
    session.add(
        LinkEvent(
            source_record_id=source.id,
            person_id=source.person_id,
            action=action,
            rule=rule,
            score=decision.weight if decision else None,
            explanation=evidence_rows(decision),
            actor=actor,
        )
    )


def queue_review(
    session: Session, source: SourceRecord, candidate: int | None,
    decision: PairDecision | None, reason: str,
) -> None:  # fmt: skip
    session.add(
        ReviewItem(
            source_record_id=source.id,
            candidate_person_id=candidate,
            facility_code=source.facility_code,
            score=decision.weight if decision else None,
            explanation=evidence_rows(decision),
            reason=reason,
        )
    )
    session.flush()
