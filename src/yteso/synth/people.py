"""Synthetic residents of a province, for the demo, the tests and the benchmarks.

DEMO DATA: every person here is invented (names, CCCD, BHYT and phone numbers are drawn at
random and may coincide with real ones by chance); rows made from them must be marked demo.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache

from yteso.reference.admin_units import FORMER_PROVINCES, Commune, communes
from yteso.synth.demography import AGE_BAND_CHOICE, KINH, ethnicity_choice
from yteso.synth.identifiers import CitizenIdAllocator, draw_mobile_number
from yteso.synth.insurance import InsuranceCardIssuer
from yteso.synth.names import FEMALE, MALE, draw_family_name, draw_middle_and_given
from yteso.synth.places import draw_address_line, is_urban, population_weight, settlements
from yteso.synth.sampling import WeightedChoice

DEMO = True

DAYS_PER_YEAR = 365.2425

# About one person in ten was born (and registered) outside the province they live in.
BORN_ELSEWHERE_SHARE = 0.10
# Where those people come from: neighbours, the province merged with theirs and the Red River
# delta provinces that sent many settlers to the northern midlands weigh five times more
# than any other province.
_NEARBY_BIRTH_PROVINCES = frozenset((1, 4, 6, 8, 19, 20, 24, 25, 26, 27, 34, 35, 36))

# Share of people with a mobile number of their own, from the first age of each stage.
_PHONE_SHARE_SINCE: tuple[tuple[int, float], ...] = ((0, 0.0), (12, 0.55), (18, 0.88), (70, 0.6))


@dataclass(frozen=True, slots=True)
class SynthPerson:
    family_name: str
    middle_name: str  # "" for the few people without one
    given_name: str
    full_name: str  # family + middle + given, NFC
    sex: int  # QĐ 130 GIOI_TINH: 1 male, 2 female
    birth_date: date
    cccd: str  # 12 digits
    bhyt: str | None  # 15-character card number; None for the uninsured
    bhyt_benefit_level: int | None  # percent (80, 95, 100) from the card's benefit digit
    commune_code: str  # 5 characters, a commune of the province
    address_line: str  # within the commune: "Số 12, Tổ dân phố 7", "Xóm Đồng Tâm"
    phone: str | None  # 10-digit mobile number
    ethnicity_code: str  # QĐ 130 MA_DANTOC: "01" Kinh, "02" Tày, ...


@dataclass(frozen=True, slots=True)
class _Residence:
    """What is fixed for everyone living in one commune."""

    commune_code: str
    urban: bool
    settlements: tuple[str, ...]
    home_province: int  # former province: where locals are registered and insured
    province: int
    ethnicities: WeightedChoice[str]
    birth_provinces: WeightedChoice[int]
    card_provinces: WeightedChoice[int]


def generate_people(
    count: int, seed: int, province_code: int = 19, reference_date: date = date(2026, 1, 1)
) -> Iterator[SynthPerson]:
    """Stream `count` people living in the province; the same seed gives the same people.

    Ages are taken on `reference_date`. CCCD numbers and social insurance numbers are
    unique within one call.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    return _people(count, random.Random(seed), _residences(province_code), reference_date)


def _people(
    count: int, rng: random.Random, residences: WeightedChoice[_Residence], reference_date: date
) -> Iterator[SynthPerson]:
    citizen_ids = CitizenIdAllocator(rng)
    cards = InsuranceCardIssuer(rng)
    for _ in range(count):
        yield _draw_person(rng, residences.draw(rng), reference_date, citizen_ids, cards)


def _draw_person(
    rng: random.Random,
    home: _Residence,
    reference_date: date,
    citizen_ids: CitizenIdAllocator,
    cards: InsuranceCardIssuer,
) -> SynthPerson:
    birth_date, sex = _draw_birth(rng, reference_date)
    age = _completed_years(birth_date, reference_date)
    family = draw_family_name(rng)
    middle, given = draw_middle_and_given(rng, sex, birth_date.year)
    ethnicity = home.ethnicities.draw(rng)
    birth_province = home.birth_provinces.draw(rng)
    card = _issue_card(rng, cards, home, age, minority_rural=ethnicity != KINH and not home.urban)
    return SynthPerson(
        family_name=family,
        middle_name=middle,
        given_name=given,
        full_name=f"{family} {middle} {given}" if middle else f"{family} {given}",
        sex=sex,
        birth_date=birth_date,
        cccd=citizen_ids.allocate(birth_province, sex, birth_date.year),
        bhyt=card[0] if card else None,
        bhyt_benefit_level=card[1] if card else None,
        commune_code=home.commune_code,
        address_line=draw_address_line(rng, home.settlements, home.urban),
        phone=draw_mobile_number(rng) if rng.random() < _phone_share(age) else None,
        ethnicity_code=ethnicity,
    )


def _issue_card(
    rng: random.Random, cards: InsuranceCardIssuer, home: _Residence, age: int, minority_rural: bool
) -> tuple[str, int] | None:
    card_province = home.card_provinces.draw(rng)
    # A card reissued by the merged province keeps the number first registered at home.
    registration_province = home.home_province if card_province == home.province else card_province
    return cards.issue(age, minority_rural, card_province, registration_province)


def _draw_birth(rng: random.Random, reference_date: date) -> tuple[date, int]:
    band = AGE_BAND_CHOICE.draw(rng)
    age_in_days = int((band.first_age + rng.random() * band.width) * DAYS_PER_YEAR)
    sex = MALE if rng.random() < band.male_share else FEMALE
    return date.fromordinal(reference_date.toordinal() - age_in_days), sex


def _completed_years(birth_date: date, on: date) -> int:
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _phone_share(age: int) -> float:
    share = 0.0
    for first_age, stage_share in _PHONE_SHARE_SINCE:
        if age >= first_age:
            share = stage_share
    return share


@cache
def _residences(province_code: int) -> WeightedChoice[_Residence]:
    province_communes = communes(province_code)
    if not province_communes:
        raise ValueError(f"no communes for province {province_code}")
    return WeightedChoice(
        (_residence(commune, province_code), population_weight(commune))
        for commune in province_communes
    )


def _residence(commune: Commune, province_code: int) -> _Residence:
    home_province = commune.former_province_code or province_code
    return _Residence(
        commune_code=commune.code,
        urban=is_urban(commune),
        settlements=settlements(commune),
        home_province=home_province,
        province=province_code,
        ethnicities=ethnicity_choice(commune.former_province_code, is_urban(commune)),
        birth_provinces=_birth_provinces(home_province),
        card_provinces=_card_provinces(home_province, province_code),
    )


@cache
def _birth_provinces(home_province: int) -> WeightedChoice[int]:
    """Province where the people of a commune had their birth registered."""
    elsewhere = [
        (code, 5.0 if code in _NEARBY_BIRTH_PROVINCES else 1.0)
        for code in FORMER_PROVINCES
        if code != home_province
    ]
    weight_elsewhere = sum(weight for _, weight in elsewhere)
    at_home = weight_elsewhere * (1 - BORN_ELSEWHERE_SHARE) / BORN_ELSEWHERE_SHARE
    return WeightedChoice([(home_province, at_home), *elsewhere])


@cache
def _card_provinces(home_province: int, province_code: int) -> WeightedChoice[int]:
    """Province code printed on the BHYT cards of a commune's residents."""
    if home_province != province_code:
        # Cards issued before the 2025 merger keep the former province until they are reissued.
        return WeightedChoice(((home_province, 80.0), (province_code, 20.0)))
    # A few workers are insured through employers registered in Hà Nội or the Bắc Ninh and
    # Bắc Giang industrial zones.
    elsewhere = [(code, 1.0) for code in (1, 24, 27) if code != home_province]
    return WeightedChoice([(home_province, 97.0), *elsewhere])
