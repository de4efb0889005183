"""Synthetic people: reproducible, realistic shares, consistent identifiers."""

from __future__ import annotations

import random
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from datetime import date
from itertools import islice

import pytest

from yteso.reference.admin_units import FORMER_PROVINCES, communes
from yteso.synth.demography import ETHNICITY_NAMES, KINH
from yteso.synth.identifiers import MOBILE_PREFIXES, CitizenIdAllocator, UniqueSerials
from yteso.synth.insurance import BENEFIT_DIGIT, BENEFIT_LEVEL_PERCENT
from yteso.synth.people import SynthPerson, generate_people
from yteso.synth.sampling import WeightedChoice

REFERENCE = date(2026, 1, 1)
SAMPLE = 50_000
COMMUNES = {c.code: c for c in communes(19)}


def age(person: SynthPerson) -> int:
    born = person.birth_date
    return REFERENCE.year - born.year - ((REFERENCE.month, REFERENCE.day) < (born.month, born.day))


def share(people: list[SynthPerson], test: Callable[[SynthPerson], bool]) -> float:
    return sum(1 for p in people if test(p)) / len(people)


@pytest.fixture(scope="module")
def people() -> list[SynthPerson]:
    return list(generate_people(SAMPLE, seed=2026, reference_date=REFERENCE))


def test_same_seed_same_people_and_other_seed_other_people() -> None:
    first = list(generate_people(300, seed=11))
    assert first == list(generate_people(300, seed=11))
    other = list(generate_people(300, seed=12))
    assert sum(a == b for a, b in zip(first, other, strict=True)) == 0


def test_people_stream_lazily_and_count_is_checked() -> None:
    stream = generate_people(10**9, seed=1)
    assert len(list(islice(stream, 5))) == 5
    assert list(generate_people(0, seed=1)) == []
    with pytest.raises(ValueError):
        generate_people(-1, seed=1)
    with pytest.raises(ValueError):
        generate_people(1, seed=1, province_code=99)


def test_family_names_follow_national_shares_with_northern_spellings(
    people: list[SynthPerson],
) -> None:
    names = Counter(p.family_name for p in people)
    assert 0.35 <= names["Nguyễn"] / SAMPLE <= 0.41
    assert 0.09 <= names["Trần"] / SAMPLE <= 0.13
    assert names["Hoàng"] > 10 * names["Huỳnh"] and names["Vũ"] > 10 * names["Võ"]
    assert {"Nông", "Ma", "Triệu", "Lục"} <= names.keys()


def test_names_are_nfc_gendered_and_mix_traditional_and_modern_styles(
    people: list[SynthPerson],
) -> None:
    for p in people[:5000]:
        assert unicodedata.is_normalized("NFC", p.full_name)
        assert "\u00d0" not in p.full_name  # the lists' look-alike of Đ is replaced
        assert p.full_name == " ".join(x for x in (p.family_name, p.middle_name, p.given_name) if x)
        assert not (p.sex == 1 and p.middle_name == "Thị") and not (
            p.sex == 2 and p.middle_name == "Văn"
        )
    traditional = share(people, lambda p: p.middle_name in ("Văn", "Thị"))
    assert 0.25 <= traditional <= 0.55
    assert 0.01 <= share(people, lambda p: p.middle_name == "") <= 0.03
    older = [p for p in people if p.birth_date.year < 1970]
    younger = [p for p in people if p.birth_date.year >= 2010]
    assert share(older, lambda p: p.middle_name in ("Văn", "Thị")) > 2 * share(
        younger, lambda p: p.middle_name in ("Văn", "Thị")
    )


def test_age_pyramid_and_sex_ratio_follow_the_census(people: list[SynthPerson]) -> None:
    ages = [age(p) for p in people]
    assert 0.07 <= sum(a < 5 for a in ages) / SAMPLE <= 0.09
    assert 0.013 <= sum(a >= 80 for a in ages) / SAMPLE <= 0.025
    assert min(ages) >= 0 and 95 <= max(ages) <= 105
    assert 0.48 <= share(people, lambda p: p.sex == 1) <= 0.52
    young = [p for p in people if age(p) < 5]
    old = [p for p in people if age(p) >= 80]
    assert share(young, lambda p: p.sex == 1) > 0.505 and share(old, lambda p: p.sex == 1) < 0.42


def test_cccd_encodes_birth_province_century_sex_and_year(people: list[SynthPerson]) -> None:
    for p in people:
        assert re.fullmatch(r"\d{12}", p.cccd)
        assert int(p.cccd[:3]) in FORMER_PROVINCES
        century = (p.birth_date.year - 1900) // 100
        assert int(p.cccd[3]) == 2 * century + p.sex - 1
        assert p.cccd[4:6] == f"{p.birth_date.year % 100:02d}"
    assert len({p.cccd for p in people}) == SAMPLE
    at_home = share(
        people, lambda p: int(p.cccd[:3]) == COMMUNES[p.commune_code].former_province_code
    )
    assert 0.86 <= at_home <= 0.94


def test_cccd_stays_unique_when_many_share_a_prefix() -> None:
    allocator = CitizenIdAllocator(random.Random(1))
    numbers = [allocator.allocate(19, 2, 1990) for _ in range(20_000)]
    assert len(set(numbers)) == 20_000 and all(n.startswith("019190") for n in numbers)
    with pytest.raises(ValueError):
        allocator.allocate(19, 1, 1899)


def test_serials_never_repeat_and_run_out_loudly() -> None:
    serials = UniqueSerials(random.Random(3), digits=2)
    assert sorted(serials.next() for _ in range(100)) == list(range(100))
    with pytest.raises(OverflowError):
        serials.next()


def test_most_people_hold_a_consistent_bhyt_card(people: list[SynthPerson]) -> None:
    insured = [p for p in people if p.bhyt is not None]
    assert 0.91 <= len(insured) / SAMPLE <= 0.95
    for p in insured:
        assert p.bhyt is not None and re.fullmatch(r"[A-Z]{2}[1-5]\d{12}", p.bhyt)
        group, digit = p.bhyt[:2], int(p.bhyt[2])
        assert BENEFIT_DIGIT[group] == digit
        assert p.bhyt_benefit_level == BENEFIT_LEVEL_PERCENT[digit]
        assert int(p.bhyt[3:5]) in FORMER_PROVINCES and int(p.bhyt[5:7]) in FORMER_PROVINCES
    assert all(p.bhyt_benefit_level is None for p in people if p.bhyt is None)
    assert len({p.bhyt[5:] for p in insured if p.bhyt}) == len(insured)
    issued_in = Counter(p.bhyt[3:5] for p in insured if p.bhyt)
    assert issued_in["19"] > issued_in["06"] > 0.1 * len(insured)


def test_bhyt_groups_match_ages(people: list[SynthPerson]) -> None:
    by_group: dict[str, list[int]] = {}
    for p in people:
        if p.bhyt:
            by_group.setdefault(p.bhyt[:2], []).append(age(p))
    assert max(by_group["TE"]) < 6
    assert all(p.bhyt is None or p.bhyt.startswith("TE") for p in people if age(p) < 6)
    assert min(by_group["HS"]) >= 6 and max(by_group["HS"]) <= 17
    assert min(by_group["SV"]) >= 18 and max(by_group["SV"]) <= 22
    assert min(by_group["HT"]) >= 60 and min(by_group["BT"]) >= 80
    assert min(by_group["DN"]) >= 18 and max(by_group["DN"]) < 60
    assert {"GD", "DT", "HN", "CN", "HC", "CC", "QN"} <= by_group.keys()


def test_ethnic_minority_rural_residents_get_dt_cards(people: list[SynthPerson]) -> None:
    dt = [p for p in people if p.bhyt and p.bhyt.startswith("DT")]
    assert dt and all(p.ethnicity_code != KINH for p in dt)
    assert all(COMMUNES[p.commune_code].kind == "xa" for p in dt)


def test_people_live_at_real_addresses_in_the_province(people: list[SynthPerson]) -> None:
    assert {p.commune_code for p in people} == COMMUNES.keys()
    for p in people[:5000]:
        commune = COMMUNES[p.commune_code]
        if commune.kind == "phuong":
            assert re.fullmatch(r"(Số \d+, )?Tổ dân phố \d+", p.address_line)
        else:
            assert re.fullmatch(r"(Xóm|Thôn) \S.*", p.address_line)
    urban = share(people, lambda p: COMMUNES[p.commune_code].kind == "phuong")
    bac_kan = share(people, lambda p: COMMUNES[p.commune_code].former_province_code == 6)
    assert 0.3 <= urban <= 0.5 and 0.15 <= bac_kan <= 0.25


def test_ethnic_mix_differs_between_former_provinces(people: list[SynthPerson]) -> None:
    assert {p.ethnicity_code for p in people} <= ETHNICITY_NAMES.keys()
    assert 0.5 <= share(people, lambda p: p.ethnicity_code == KINH) <= 0.75
    bac_kan_rural = [
        p for p in people if COMMUNES[p.commune_code].former_province_code == 6
        and COMMUNES[p.commune_code].kind == "xa"
    ]  # fmt: skip
    assert Counter(p.ethnicity_code for p in bac_kan_rural).most_common(1)[0][0] == "02"  # Tày


def test_mobile_numbers_are_real_formats_and_children_have_none(
    people: list[SynthPerson],
) -> None:
    phones = [p.phone for p in people if p.phone]
    assert all(re.fullmatch(r"0\d{9}", n) and n[:3] in MOBILE_PREFIXES for n in phones)
    assert all(p.phone is None for p in people if age(p) < 12)
    adults = [p for p in people if age(p) >= 18]
    assert 0.80 <= share(adults, lambda p: p.phone is not None) <= 0.90


def test_weighted_choice_skips_zero_weights_and_refuses_negative_ones() -> None:
    choice = WeightedChoice([("never", 0.0), ("always", 2.0)])
    rng = random.Random(5)
    assert {choice.draw(rng) for _ in range(1000)} == {"always"}
    with pytest.raises(ValueError):
        WeightedChoice([("bad", -1.0)])
