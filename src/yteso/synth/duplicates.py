"""Realistically messy patient records with duplicates and ground truth (patient index tests
and benchmarks).

Each synthetic person gets one or more records, as if registered at several facilities over
the years; every record after the first is damaged the way hand-typed registrations are:
typos, missing diacritics, swapped day/month, year-only dates, dropped middle names, changed
phone and commune, missing or mistyped CCCD, renewed BHYT cards. DEMO DATA: all invented.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, fields

from yteso.core.text import fold
from yteso.synth.identifiers import draw_mobile_number
from yteso.synth.people import SynthPerson, generate_people

# Records per person: most people are seen once, some at two to four facilities.
_RECORDS_PER_PERSON = ((1, 0.62), (2, 0.24), (3, 0.1), (4, 0.04))
MEAN_RECORDS_PER_PERSON = sum(n * share for n, share in _RECORDS_PER_PERSON)

# Chance of each kind of damage on a repeat record (the first record is taken as typed well).
DAMAGE = {
    "name_typo": 0.08,
    "no_diacritics": 0.2,
    "spelling_variant": 0.04,
    "drop_middle": 0.08,
    "swap_day_month": 0.03,
    "year_only": 0.05,
    "sex_unknown": 0.03,
    "new_phone": 0.15,
    "no_phone": 0.2,
    "moved": 0.08,
    "no_cccd": 0.3,
    "cccd_typo": 0.03,
    "renewed_card": 0.3,
    "no_card": 0.25,
}
_VARIANTS = (("y", "i"), ("i", "y"), ("Gi", "D"), ("D", "Gi"), ("Ph", "F"), ("Tr", "Ch"))
CSV_COLUMNS = ("record_id", "full_name", "birth_date", "sex", "cccd", "bhyt", "commune_code",
               "address", "phone")  # fmt: skip


@dataclass(frozen=True, slots=True)
class MessyRecord:
    record_id: str
    full_name: str
    birth_date: str  # YYYY-MM-DD, YYYY-MM or YYYY
    sex: str  # "1", "2" or "3"
    cccd: str
    bhyt: str
    commune_code: str
    address: str
    phone: str
    person: int  # ground truth: records of one person share it

    def row(self) -> dict[str, str]:
        """The CSV row of `yteso mpi dedupe` input (ground truth left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "person"}


def generate_messy_records(count: int, seed: int, province_code: int = 19) -> list[MessyRecord]:
    """`count` records, shuffled; the same seed gives the same records."""
    rng = random.Random(seed)
    people = generate_people(count, seed, province_code)
    communes = [p.commune_code for p in generate_people(200, seed + 1, province_code)]
    records: list[MessyRecord] = []
    for number, person in enumerate(people):
        for copy in range(_copies(rng)):
            if len(records) == count:
                break
            damage = {k for k, p in DAMAGE.items() if copy and rng.random() < p}
            records.append(_record(rng, person, number, damage, communes))
        if len(records) == count:
            break
    rng.shuffle(records)
    return [_numbered(r, i) for i, r in enumerate(records, start=1)]


def _numbered(record: MessyRecord, index: int) -> MessyRecord:
    values = {f.name: getattr(record, f.name) for f in fields(record)}
    values["record_id"] = f"R{index}"
    return MessyRecord(**values)


def _copies(rng: random.Random) -> int:
    draw = rng.random()
    for copies, share in _RECORDS_PER_PERSON:
        draw -= share
        if draw < 0:
            return copies
    return 1


def _record(rng: random.Random, person: SynthPerson, number: int, damage: set[str],
            communes: list[str]) -> MessyRecord:  # fmt: skip
    phone = person.phone or ""
    if "new_phone" in damage:
        phone = draw_mobile_number(rng)
    return MessyRecord(
        record_id="",
        full_name=_name(rng, person, damage),
        birth_date=_birth(person, damage),
        sex="3" if "sex_unknown" in damage else str(person.sex),
        cccd="" if "no_cccd" in damage else _cccd(rng, person.cccd, damage),
        bhyt=_card(rng, person.bhyt, damage),
        commune_code=rng.choice(communes) if "moved" in damage else person.commune_code,
        address=person.address_line,
        phone="" if "no_phone" in damage else phone,
        person=number,
    )


def _name(rng: random.Random, person: SynthPerson, damage: set[str]) -> str:
    middle = "" if "drop_middle" in damage else person.middle_name
    given = person.given_name
    if "spelling_variant" in damage:
        for old, new in _VARIANTS:
            if old in given:
                given = given.replace(old, new, 1)
                break
    name = " ".join(p for p in (person.family_name, middle, given) if p)
    if "no_diacritics" in damage:
        name = " ".join(w.capitalize() for w in fold(name).split())
    if "name_typo" in damage:
        name = _typo(rng, name)
    return name


def _typo(rng: random.Random, text: str) -> str:
    position = rng.randrange(1, len(text) - 1)
    if text[position] == " " or text[position + 1] == " ":
        return text[:position] + text[position] + text[position:]  # doubled letter
    kind = rng.randrange(3)
    if kind == 0:
        return text[:position] + text[position + 1 :]
    if kind == 1:
        return text[:position] + text[position + 1] + text[position] + text[position + 2 :]
    return text[:position] + rng.choice("aeioumnht") + text[position + 1 :]


def _birth(person: SynthPerson, damage: set[str]) -> str:
    born = person.birth_date
    if "year_only" in damage:
        return str(born.year)
    if "swap_day_month" in damage and born.day <= 12 and born.day != born.month:
        return f"{born.year:04d}-{born.day:02d}-{born.month:02d}"
    return born.isoformat()


def _cccd(rng: random.Random, cccd: str, damage: set[str]) -> str:
    if "cccd_typo" not in damage:
        return cccd
    position = rng.randrange(len(cccd))
    digit = str((int(cccd[position]) + rng.randrange(1, 10)) % 10)
    return cccd[:position] + digit + cccd[position + 1 :]


def _card(rng: random.Random, card: str | None, damage: set[str]) -> str:
    if card is None or "no_card" in damage:
        return ""
    if "renewed_card" in damage:
        # A new card after a change of group (a pupil starts work, a worker retires) keeps the
        # social insurance number, the last ten characters.
        group = rng.choice(("DN4", "GD4", "HT3", "HN2", "CN3"))
        return f"{group}{card[3:5]}{card[5:]}"
    return card


def messy_rows(records: list[MessyRecord]) -> Iterator[dict[str, str]]:
    return (record.row() for record in records)
