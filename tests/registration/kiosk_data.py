"""Seeded demo data for kiosk tests: a hospital, its people, and what they present."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from tests.helpers import RULES
from yteso.patients import IdentifierKind, PersonOut
from yteso.registration.cli import qr_string
from yteso.registration.insurance_simulator import DemoCard, find_demo_card
from yteso.synth.seed import seed_facilities, seed_people

PEOPLE = 300
SEED = 7


@dataclass(frozen=True)
class KioskDemo:
    hospital: str  # MA_CSKCB of a seeded hospital with an examination department
    other_hospital: str
    valid: DemoCard  # an adult whose card the simulator reports valid today
    expired: DemoCard


def _cccd(person: PersonOut) -> str | None:
    values = [i.value for i in person.identifiers if i.kind == IdentifierKind.NATIONAL_ID]
    return values[0] if values else None


def _adult_with_cccd(db: Session, today: date, expired: bool) -> DemoCard:
    card = find_demo_card(db, today, expired=expired)
    assert card is not None and _cccd(card.person) is not None, "seeded data changed"
    return card


def seed_kiosk_demo(db: Session) -> KioskDemo:
    generated = seed_facilities(db, SEED, RULES)
    list(seed_people(db, PEOPLE, SEED, 19, date(2026, 1, 1)))
    db.commit()
    hospitals = [f.code for f in generated if f.kind == "hospital" and
                 any(code == "K01" for code, _name in f.departments)]  # fmt: skip
    today = date.today()
    return KioskDemo(
        hospitals[0],
        hospitals[1],
        _adult_with_cccd(db, today, False),
        _adult_with_cccd(db, today, True),
    )


def qr_of(person: PersonOut) -> str:
    """The string a scanner reads from the person's chip-card QR code."""
    return qr_string(person)


def unused_cccd(person: PersonOut) -> str:
    """A CCCD nobody holds, consistent with the person's birth year and sex."""
    cccd = _cccd(person) or ""
    return cccd[:6] + "999999"
