"""Real-time matching: one incoming record is linked to a person, or becomes a new one.

The one function the kiosk, claims intake and the FHIR API call (match_records: a batch of
them). Takes the session first, never commits; every decision is kept with its score and
per-field explanation.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from sqlalchemy.orm import Session

from yteso.core.errors import FieldProblem
from yteso.patients import writes
from yteso.patients.birth_dates import BirthDate
from yteso.patients.features import MatchRecord, RawRecord, prepare
from yteso.patients.identifiers import InvalidIdentifier, parse_cmnd, parse_passport
from yteso.patients.matching import (
    Model,
    Outcome,
    PairDecision,
    Thresholds,
    decide,
    default_model,
)
from yteso.patients.models import Person, PersonIdentifier, SourceRecord
from yteso.patients.schemas import (
    FieldEvidenceOut,
    IdentifierKind,
    MatchDecisionOut,
    ProblemOut,
    SourceRecordIn,
)
from yteso.reference.crosswalk import current_commune

_OTHER_IDS = {IdentifierKind.CITIZEN_ID: parse_cmnd, IdentifierKind.PASSPORT_NUMBER: parse_passport}


@cache
def _model() -> Model:
    return default_model()


def _raw(record: SourceRecordIn) -> RawRecord:
    values = {i.kind: i.value for i in record.identifiers}
    return RawRecord(
        record_id=f"{record.facility_code}/{record.local_id}",
        full_name=record.full_name,
        birth_date=record.birth_date,
        sex=str(record.sex),
        cccd=values.get(IdentifierKind.NATIONAL_ID, ""),
        bhyt=values.get(IdentifierKind.INSURANCE_NUMBER, ""),
        commune_code=record.commune_code or "",
        address=record.address_line or "",
        phone=record.phone or "",
    )


def features_of(session: Session, record: SourceRecordIn) -> MatchRecord:
    def commune_of(code: str) -> str | None:
        commune = current_commune(session, code)
        return commune.code if commune else None

    features = prepare(_raw(record), commune_of)
    for identifier in record.identifiers:
        check = _OTHER_IDS.get(identifier.kind)
        if check is None:
            continue
        try:
            check(identifier.value, identifier.kind.value)
        except InvalidIdentifier as error:
            features.problems.append(_problem(error))
    return features


def _problem(error: InvalidIdentifier) -> FieldProblem:
    return FieldProblem(error.field, error.message, value=error.value)


def golden_record(person: Person) -> MatchRecord:
    """The person's best values, as features to compare an incoming record with."""
    cards = sorted((i for i in person.identifiers if i.kind == "insurance_number"), key=_id)
    national = [i.value for i in person.identifiers if i.kind == "national_id"]
    birth = ""
    if person.birth_date is not None:
        birth = BirthDate.from_stored(person.birth_date, person.birth_date_precision).iso()
    return prepare(
        RawRecord(
            record_id=str(person.id),
            full_name=person.full_name,
            birth_date=birth,
            sex=str(person.sex),
            cccd=national[0] if national else "",
            bhyt=cards[-1].value if cards else "",
            commune_code=person.commune_code or "",
            phone=person.phone or "",
        )
    )


def _id(identifier: PersonIdentifier) -> int:
    # One added by the batch being matched has no id yet: it is the latest.
    return identifier.id if identifier.id is not None else sys.maxsize


def best_candidate(
    people: list[Person], features: MatchRecord, thresholds: Thresholds
) -> tuple[Person, PairDecision] | None:
    scored = [
        (person, decide(_model(), thresholds, features, golden_record(person))) for person in people
    ]
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1].rule != "probabilistic", pair[1].weight))


@dataclass(slots=True)
class _Matched:
    outcome: Outcome
    source: SourceRecord
    candidate: Person | None
    features: MatchRecord
    rule: str
    decision: PairDecision | None


def match_record(
    session: Session, record: SourceRecordIn, thresholds: Thresholds | None = None,
    actor: str | None = None,
) -> MatchDecisionOut:  # fmt: skip
    """Link the record to its person (creating one when it is new) and say why.

    A record seen before (same facility and MA_BN) keeps its link. A record too thin to
    match on, or close to someone without being sure, becomes a new person flagged for
    review, never guessed into someone else.
    """
    return match_records(session, [record], thresholds, actor)[0]


def match_records(
    session: Session, records: Sequence[SourceRecordIn], thresholds: Thresholds | None = None,
    actor: str | None = None,
) -> list[MatchDecisionOut]:  # fmt: skip
    """match_record for many records (a claims batch), with the same decisions as one by one
    in this order (a record may link to a person an earlier one created), reading the index
    with a few queries and writing it with one statement per table."""
    features = [features_of(session, record) for record in records]
    batch = writes.IndexBatch.load(session, records, features)
    limits = thresholds or Thresholds()
    matched = [
        _match(batch, record, found, limits, actor)
        for record, found in zip(records, features, strict=True)
    ]
    batch.write(session)
    return [_decision(m) for m in matched]


def _match(
    batch: writes.IndexBatch, record: SourceRecordIn, features: MatchRecord,
    thresholds: Thresholds, actor: str | None,
) -> _Matched:  # fmt: skip
    known = batch.sources.get((record.facility_code, record.local_id))
    if known is not None:
        return _Matched(Outcome.LINK, known, None, features, "known source record", None)
    hashes = writes.hashes_of(features)
    found = best_candidate(batch.candidates(hashes), features, thresholds)
    decision = found[1] if found else None
    outcome = decision.outcome if decision else Outcome.NEW
    if features.too_little:
        outcome = Outcome.REVIEW
    if outcome is Outcome.LINK and found is not None:
        person = found[0]
    else:
        person = batch.new_person(features, record)
    source = batch.attach(person, features, record, hashes, outcome is Outcome.REVIEW)
    conflicts = batch.add_identifiers(person, features)
    rule = decision.rule if decision and outcome is Outcome.LINK else "new person"
    # A new person's history keeps the score against the closest candidate, too.
    action = "linked" if outcome is Outcome.LINK else "created"
    batch.log(source, action, rule, decision, actor)
    candidate = found[0] if found and outcome is not Outcome.LINK else None
    if conflicts and candidate is None:
        candidate = conflicts[0]
    if outcome is Outcome.REVIEW or conflicts:
        source.needs_review = True
        batch.queue_review(source, candidate, decision, _reason(features, conflicts))
    return _Matched(outcome, source, candidate, features, rule, decision)


def _reason(features: MatchRecord, conflicts: list[Person]) -> str:
    if conflicts:
        return "Định danh đã thuộc về người khác: có thể gõ nhầm hoặc trùng người"
    if features.too_little:
        return "Quá ít thông tin để ghép (thiếu định danh, họ tên hoặc năm sinh)"
    return "Điểm ghép nằm giữa ngưỡng ghép và ngưỡng tạo mới"


def _decision(matched: _Matched) -> MatchDecisionOut:
    decision, features = matched.decision, matched.features
    evidence = decision.evidence if decision else ()
    return MatchDecisionOut(
        outcome=matched.outcome.value,
        person_id=matched.source.person_id,
        source_record_id=matched.source.id,
        rule=matched.rule,
        score=decision.weight if decision else None,
        probability=decision.probability if decision else None,
        candidate_person_id=matched.candidate.id if matched.candidate else None,
        needs_review=matched.source.needs_review,
        explanation=[FieldEvidenceOut(field=e.field, level=e.level, weight=e.weight)
                     for e in evidence],
        problems=[ProblemOut(field=p.field, message=p.message, value=p.value)
                  for p in features.problems],
        warnings=list(features.warnings),
    )  # fmt: skip
