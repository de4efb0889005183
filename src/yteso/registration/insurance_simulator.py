"""A local stand-in for the BHXH portal's card check, backed by the demo population.

It answers like the portal (result codes of `card_lookup.RESULT_MESSAGES_VI`):
- the person is found by card number, or by CCCD (accepted instead of the card since 2024);
  nobody, or a person without a card: 050; a malformed card number: 051;
- the name is compared without diacritics or case: wrong with the right first letter 061,
  else 060; the birth date (dd/mm/yyyy, or yyyy compared on the year only): 070;
- validity, deterministic from the card (`card_validity`):
  * TE cards (children under 6) run from the birth date to the 6th birthday (the law's
    "đủ 72 tháng tuổi"), so a child who has turned 6 holds an expired TE card;
  * every other card runs twelve months from the 1st of an anniversary month, 1 + h mod 12,
    where h is a stable hash (SHA-256) of the 10-digit social insurance number; the period
    covering the visit day is the current card, except for cards with h // 12 mod 100 < 4
    (about 4 %), whose last period ended the day before the current one would start;
  * an expired card answers 010; armed forces' cards answer 001 (QN, CY) or 002 (CA)
    like the portal, otherwise 000;
- MA_DKBD is the commune health station of the person's commune (the first by code when a
  commune has several), or none when the registry has none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from yteso.core.errors import NotFound
from yteso.core.text import fold, is_digits
from yteso.facilities import FacilityFilter, first_facility_code
from yteso.patients import (
    IdentifierKind,
    InvalidIdentifier,
    PersonOut,
    count_people,
    find_by_identifier,
    get_person,
    parse_bhyt,
)
from yteso.registration.card_lookup import RESULT_MESSAGES_VI, CardLookup, CardQuery
from yteso.registration.queues import service_day

_EXPIRED_PER_100 = 4
_PORTAL_ARMED_FORCES = {"QN": "001", "CY": "001", "CA": "002"}


def _stable_hash(social_insurance_number: str) -> int:
    return int.from_bytes(hashlib.sha256(social_insurance_number.encode()).digest()[:8], "big")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def card_validity(card_number: str, birth_date: date | None, visit_day: date) -> tuple[date, date]:
    """(GT_THE_TU, GT_THE_DEN) of the card the simulator reports on `visit_day`."""
    card = parse_bhyt(card_number)
    if card.group == "TE" and birth_date is not None:
        return birth_date, _add_years(birth_date, 6)
    h = _stable_hash(card.social_insurance_number)
    month = 1 + h % 12
    start = date(visit_day.year, month, 1)
    if start > visit_day:
        start = _add_years(start, -1)
    if (h // 12) % 100 < _EXPIRED_PER_100:
        start = _add_years(start, -1)
    return start, _add_years(start, 1) - timedelta(days=1)


def _card_of(person: PersonOut) -> str | None:
    for identifier in person.identifiers:
        if identifier.kind == IdentifierKind.INSURANCE_NUMBER:
            return identifier.value
    return None


def _cccd_of(person: PersonOut) -> str | None:
    for identifier in person.identifiers:
        if identifier.kind == IdentifierKind.NATIONAL_ID:
            return identifier.value
    return None


def _birth_matches(stated: str, person: PersonOut) -> bool:
    if person.birth_date is None:
        return True
    text = stated.strip()
    if len(text) == 4 and is_digits(text):
        return int(text) == person.birth_date.year
    return text == person.birth_date.strftime("%d/%m/%Y")


def _name_code(stated: str, person: PersonOut) -> str | None:
    said, known = fold(stated), fold(person.full_name)
    if said == known:
        return None
    return "061" if said[:1] == known[:1] else "060"


class SimulatedInsuranceGateway:
    """Answers from the demo people in the database, as the portal would."""

    # The visit day is Vietnam's, as for the tickets (the server's clock may run in UTC).
    def __init__(self, session: Session, today: Callable[[], date] = service_day) -> None:
        self._session = session
        self._today = today

    def look_up_card(self, query: CardQuery) -> CardLookup:
        if query.card_number:
            try:
                parse_bhyt(query.card_number)
            except InvalidIdentifier:
                return _answer("051")
            person = find_by_identifier(
                self._session, IdentifierKind.INSURANCE_NUMBER, query.card_or_cccd
            )
        else:
            person = find_by_identifier(
                self._session, IdentifierKind.NATIONAL_ID, query.card_or_cccd
            )
        card = _card_of(person) if person else None
        if person is None or card is None:
            return _answer("050")
        mismatch = _name_code(query.full_name, person)
        if mismatch is None and not _birth_matches(query.birth_date, person):
            mismatch = "070"
        if mismatch is not None:
            return _answer(mismatch, card)
        return self._card_answer(person, card)

    def _card_answer(self, person: PersonOut, card: str) -> CardLookup:
        visit_day = self._today()
        valid_from, valid_to = card_validity(card, person.birth_date, visit_day)
        parsed = parse_bhyt(card)
        code = "010" if valid_to < visit_day else _PORTAL_ARMED_FORCES.get(parsed.group, "000")
        return CardLookup(
            result_code=code,
            note=RESULT_MESSAGES_VI[code],
            card_number=card,
            full_name=person.full_name,
            birth_date=person.birth_date.strftime("%d/%m/%Y") if person.birth_date else None,
            sex=person.sex if person.sex in (1, 2) else None,
            address=person.address_line,
            registered_facility=registered_facility(self._session, person),
            valid_from=valid_from,
            valid_to=valid_to,
            social_insurance_number=parsed.social_insurance_number,
            source="simulator",
        )


def _answer(code: str, card: str | None = None) -> CardLookup:
    return CardLookup(
        result_code=code, note=RESULT_MESSAGES_VI[code], card_number=card, source="simulator"
    )


def registered_facility(session: Session, person: PersonOut) -> str | None:
    """MA_DKBD the simulator gives a person: their commune's health station."""
    if not person.commune_code:
        return None
    where = FacilityFilter.model_validate(
        {"kind": "commune_health_station", "commune_code": person.commune_code}
    )
    return first_facility_code(session, where)


@dataclass(frozen=True)
class DemoCard:
    """A demo person and what to type at the kiosk to reach their card."""

    person: PersonOut
    card_number: str
    cccd: str | None
    valid_from: date
    valid_to: date


def _demo_cards(session: Session, visit_day: date) -> Iterator[DemoCard]:
    """Demo people with a card, by id (ids may have gaps after merges)."""
    person_id, seen, total = 0, 0, count_people(session)
    while seen < total and person_id < 2 * total + 100:
        person_id += 1
        try:
            person = get_person(session, person_id)
        except NotFound:
            continue
        seen += 1
        card = _card_of(person)
        if card is not None and person.is_demo:
            valid_from, valid_to = card_validity(card, person.birth_date, visit_day)
            yield DemoCard(person, card, _cccd_of(person), valid_from, valid_to)


def find_demo_card(session: Session, visit_day: date, expired: bool = True) -> DemoCard | None:
    """A demo person whose card the simulator reports expired (or valid) on `visit_day`.

    For tests and demos: the kiosk's "expired card" path needs a real person to type in.
    """
    for demo in _demo_cards(session, visit_day):
        if (demo.valid_to < visit_day) == expired:
            return demo
    return None
