from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from yteso import patients
from yteso.patients import linking
from yteso.patients.maintenance import reindex_all
from yteso.patients.models import LinkEvent, PersonBlockKey, ReviewItem, SourceRecord
from yteso.synth.duplicates import generate_messy_records

_HA = {
    "facility_code": "19001",
    "local_id": "BN001",
    "origin": "kiosk",
    "full_name": "Nguyễn Thị Thu Hà",
    "birth_date": "1990-05-17",
    "sex": 2,
    "identifiers": [
        {"kind": "national_id", "value": "019190001234"},
        {"kind": "insurance_number", "value": "GD4191234567890"},
    ],
    "commune_code": "05443",
    "phone": "0912345678",
}


def _record(**changes: object) -> patients.SourceRecordIn:
    return patients.SourceRecordIn.model_validate({**_HA, **changes})


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_first_record_creates_a_person_and_the_same_cccd_links_to_it(db: Session) -> None:
    first = patients.match_record(db, _record())
    assert first.outcome == "new" and not first.needs_review
    second = patients.match_record(
        db, _record(facility_code="19002", local_id="77", full_name="Nguyen Thi Thu Ha", phone=None)
    )
    db.commit()
    assert second.outcome == "link" and second.rule == "cccd"
    assert second.person_id == first.person_id
    assert {e.field for e in second.explanation} >= {"cccd", "given", "birth"}
    assert _count(db, SourceRecord) == 2 and _count(db, LinkEvent) == 2


def test_messy_record_without_identifiers_links_probabilistically(db: Session) -> None:
    first = patients.match_record(db, _record())
    messy = _record(
        facility_code="19003", local_id="X9", full_name="Nguyễn Thu Hà", identifiers=[], phone=None
    )
    decision = patients.match_record(db, messy)
    assert decision.outcome == "link" and decision.rule == "probabilistic"
    assert decision.person_id == first.person_id and decision.score is not None


def test_renewed_insurance_card_links_by_social_insurance_number(db: Session) -> None:
    first = patients.match_record(db, _record())
    renewed = _record(
        local_id="BN002",
        identifiers=[{"kind": "insurance_number", "value": "HT3191234567890"}],
        full_name="Nguyễn T. Thu Hà",
    )
    decision = patients.match_record(db, renewed)
    assert decision.outcome == "link" and decision.person_id == first.person_id
    person = patients.get_person(db, first.person_id)
    assert {i.value for i in person.identifiers} >= {"GD4191234567890", "HT3191234567890"}


def test_a_source_record_seen_again_keeps_its_link(db: Session) -> None:
    first = patients.match_record(db, _record())
    again = patients.match_record(db, _record(full_name="Someone Else"))
    assert again.person_id == first.person_id and again.rule == "known source record"
    assert _count(db, SourceRecord) == 1


def test_too_little_to_match_on_becomes_a_new_person_flagged_for_review(db: Session) -> None:
    patients.match_record(db, _record())
    thin = _record(local_id="BN9", full_name="Hà", birth_date="", identifiers=[], phone=None)
    decision = patients.match_record(db, thin)
    db.commit()
    assert decision.outcome == "review" and decision.needs_review
    assert _count(db, ReviewItem) == 1
    assert patients.count_people(db) == 2


def test_typo_cccd_of_another_person_is_not_matched_exactly(db: Session) -> None:
    owner = patients.match_record(db, _record())
    other = _record(
        facility_code="19002",
        local_id="B1",
        full_name="Trần Văn Bình",
        birth_date="1990-11-02",
        sex=1,
        identifiers=[{"kind": "national_id", "value": "019190001234"}],
        phone=None,
        commune_code="01960",
    )
    decision = patients.match_record(db, other)
    assert decision.person_id != owner.person_id
    assert decision.needs_review and decision.candidate_person_id == owner.person_id
    assert any("giới tính" in w for w in decision.warnings)


def test_malformed_identifiers_are_reported_per_field_and_not_used(db: Session) -> None:
    patients.match_record(db, _record())
    bad = _record(
        local_id="BN5",
        full_name="Lê Văn Tám",
        birth_date="1970",
        sex=1,
        identifiers=[
            {"kind": "national_id", "value": "01919000123"},
            {"kind": "insurance_number", "value": "ZZ4191234567890"},
            {"kind": "citizen_id", "value": "12"},
        ],
    )
    decision = patients.match_record(db, bad)
    assert {p.field for p in decision.problems} == {"cccd", "bhyt", "citizen_id"}
    source = db.get(SourceRecord, decision.source_record_id)
    assert source is not None and source.identifiers == {}


def test_people_added_by_the_person_api_are_found_by_matching(db: Session) -> None:
    seeded = patients.PersonIn.model_validate(
        {
            "family_name": "Khổng",
            "middle_name": "Minh",
            "given_name": "Đức",
            "sex": 1,
            "birth_date": date(1985, 3, 9),
            "commune_code": "05443",
        }
    )
    person = next(iter([patients.add_person(db, seeded)]))
    bulk = list(patients.bulk_add_people(db, [seeded.model_copy(update={"given_name": "Tú"})]))
    assert bulk == [1]
    decision = patients.match_record(
        db, _record(full_name="Khong Minh Duc", birth_date="1985-03-09", sex=1, identifiers=[])
    )
    assert decision.outcome == "link" and decision.person_id == person.id


def test_messy_population_matched_one_by_one_keeps_people_apart(db: Session) -> None:
    records = generate_messy_records(400, seed=9)
    found = []
    for number, messy in enumerate(records):
        identifiers = [
            {"kind": kind, "value": value}
            for kind, value in (("national_id", messy.cccd), ("insurance_number", messy.bhyt))
            if value
        ]
        incoming = _record(
            local_id=f"R{number}", full_name=messy.full_name, birth_date=messy.birth_date,
            sex=int(messy.sex), identifiers=identifiers, commune_code=messy.commune_code,
            phone=messy.phone or None,
        )  # fmt: skip
        found.append(patients.match_record(db, incoming).person_id)

    def pairs(labels: list[object]) -> int:
        return sum(n * (n - 1) // 2 for n in Counter(labels).values())

    truth = [r.person for r in records]
    together = pairs(list(zip(found, truth, strict=True)))
    assert together == pairs(list(found))  # no two people joined
    assert together >= 0.95 * pairs(list(truth))


def test_reindex_rebuilds_the_keys_matching_finds_people_by(db: Session) -> None:
    first = patients.match_record(db, _record())
    db.execute(delete(PersonBlockKey))
    lost = patients.match_record(db, _record(local_id="BN2", identifiers=[], phone=None))
    assert lost.person_id != first.person_id
    assert sum(reindex_all(db, batch_size=1)) == 2
    found = patients.match_record(db, _record(local_id="BN3", identifiers=[], phone=None))
    assert found.outcome == "link"
    assert found.person_id in {first.person_id, lost.person_id}


def _messy_batch() -> list[patients.SourceRecordIn]:
    incoming = []
    for number, messy in enumerate(generate_messy_records(300, seed=4)):
        identifiers = [
            {"kind": kind, "value": value}
            for kind, value in (("national_id", messy.cccd), ("insurance_number", messy.bhyt))
            if value
        ]
        incoming.append(
            _record(
                local_id=f"R{number}",
                full_name=messy.full_name,
                birth_date=messy.birth_date,
                sex=int(messy.sex),
                identifiers=identifiers,
                commune_code=messy.commune_code,
                phone=messy.phone or None,
            )
        )
    # Seen twice in the batch; a typo'd CCCD of another person; too little to match on.
    return [
        *incoming[:150],
        incoming[3],
        _record(local_id="T1", full_name="Trần Văn Bình", birth_date="1990-11-02", sex=1,
                identifiers=[{"kind": "national_id", "value": "019190001234"}], phone=None),
        _record(local_id="T2", full_name="Hà", birth_date="", identifiers=[], phone=None),
        *incoming[150:],
    ]  # fmt: skip


def _outcomes(decisions: list[patients.MatchDecisionOut]) -> list[tuple[object, ...]]:
    """Decisions with persons named by the first record linked to them (ids differ by run)."""
    first: dict[int, int] = {}
    for index, decision in enumerate(decisions):
        first.setdefault(decision.person_id, index)

    def name(person: int | None) -> object:
        return None if person is None else first.get(person, f"stored {person}")

    return [
        (d.outcome, d.rule, d.score, d.needs_review, name(d.person_id),
         name(d.candidate_person_id), [e.level for e in d.explanation])
        for d in decisions
    ]  # fmt: skip


def _rows(db: Session) -> list[int]:
    models = (SourceRecord, LinkEvent, ReviewItem, PersonBlockKey)
    return [_count(db, model) for model in models] + [patients.count_people(db)]


def test_a_batch_is_matched_as_if_one_by_one(db: Session) -> None:
    patients.match_record(db, _record())  # stored before: the typo'd CCCD's owner
    db.commit()
    records = _messy_batch()
    one_by_one = [patients.match_record(db, record) for record in records]
    rows = _rows(db)
    db.rollback()
    batch = linking.match_records(db, records)
    assert _outcomes(batch) == _outcomes(one_by_one)
    assert _rows(db) == rows
    assert batch[150].rule == "known source record" and batch[150].person_id == batch[3].person_id
    assert batch[151].needs_review and batch[152].outcome == "review"
    links = {d.source_record_id for d in batch}
    assert _count(db, LinkEvent) == len(links) + 1  # + the stored one's
