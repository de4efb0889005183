"""Synthetic facility network: Thái Nguyên's shape, valid codes, one station per commune."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from yteso.reference.admin_units import communes
from yteso.synth.facilities import DEPARTMENT_NAMES, SynthFacility, generate_facilities

COMMUNES = {c.code: c for c in communes(19)}


@pytest.fixture(scope="module")
def network() -> list[SynthFacility]:
    return generate_facilities(seed=7)


def test_network_has_the_provinces_shape(network: list[SynthFacility]) -> None:
    assert Counter((f.kind, f.owner) for f in network) == {
        ("hospital", "department_of_health"): 8,
        ("health_centre", "department_of_health"): 12,
        ("hospital", "ministry"): 3,
        ("hospital", "private"): 7,
        ("polyclinic", "private"): 21,
        ("commune_health_station", "department_of_health"): 92,
        ("preventive_centre", "department_of_health"): 1,
    }
    assert network[0].name == "Bệnh viện A Thái Nguyên"
    assert network[-1].kind == "commune_health_station"


def test_same_seed_same_network_other_seed_other_details(network: list[SynthFacility]) -> None:
    assert generate_facilities(seed=7) == network
    other = generate_facilities(seed=8)
    assert [f.name for f in other] != [f.name for f in network]
    assert [f.phone for f in other] != [f.phone for f in network]


def test_codes_are_unique_and_keep_the_former_province_prefix(
    network: list[SynthFacility],
) -> None:
    assert len({f.code for f in network}) == len(network)
    for f in network:
        assert re.fullmatch(r"\d{5}", f.code)
        former = COMMUNES[f.commune_code].former_province_code
        assert f.code[:2] == ("06" if former == 6 else "19")
    assert {f.code[:2] for f in network} == {"06", "19"}


def test_one_station_per_commune_named_after_it(network: list[SynthFacility]) -> None:
    stations = [f for f in network if f.kind == "commune_health_station"]
    assert sorted(f.commune_code for f in stations) == sorted(COMMUNES)
    for f in stations:
        kind_word, _, place = COMMUNES[f.commune_code].name.partition(" ")
        assert f.name == f"Trạm Y tế {kind_word.lower()} {place}"
        assert f.technical_level == "ban_dau" and 1 <= len(f.departments) <= 2
    assert any(f.name == "Trạm Y tế xã Đại Từ" for f in stations)


def test_public_centres_are_named_after_real_communes(network: list[SynthFacility]) -> None:
    places = {c.name.partition(" ")[2] for c in COMMUNES.values()}
    centres = [f for f in network if f.kind == "health_centre"]
    assert all(f.name.removeprefix("Trung tâm Y tế khu vực ") in places for f in centres)


def test_hospitals_stand_mostly_in_urban_wards(network: list[SynthFacility]) -> None:
    hospitals = [f for f in network if f.kind == "hospital"]
    assert all(COMMUNES[f.commune_code].kind == "phuong" for f in hospitals)
    clinics = [f for f in network if f.kind == "polyclinic"]
    assert sum(COMMUNES[f.commune_code].kind == "phuong" for f in clinics) > len(clinics) / 2


def test_levels_labs_and_hubs_sit_with_the_big_hospitals(network: list[SynthFacility]) -> None:
    hubs = [f for f in network if f.telemedicine_hub]
    labs = [f for f in network if f.iso15189_lab]
    assert 2 <= len(hubs) <= 4 and 3 <= len(labs) <= 6
    assert all(f.kind == "hospital" and f.technical_level == "chuyen_sau" for f in hubs + labs)
    central = next(f for f in network if f.name == "Bệnh viện Trung ương Thái Nguyên")
    assert central.owner == "ministry" and central.telemedicine_hub
    assert len(central.departments) >= 30


def test_emr_rollout_is_ahead_in_hospitals(network: list[SynthFacility]) -> None:
    hospitals = [f for f in network if f.kind == "hospital"]
    stations = [f for f in network if f.kind == "commune_health_station"]
    ahead = sum(f.emr_status in ("approved", "assessed") for f in hospitals)
    behind = sum(f.emr_status in ("not_started", "deploying") for f in stations)
    assert ahead >= 0.6 * len(hospitals) and behind >= 0.8 * len(stations)


def test_departments_come_from_the_code_list(network: list[SynthFacility]) -> None:
    assert all(re.fullmatch(r"K\d{2}", code) for code in DEPARTMENT_NAMES)
    for f in network:
        codes = [code for code, _ in f.departments]
        assert codes == sorted(set(codes)) and codes[0] == "K01"
        assert all(DEPARTMENT_NAMES[code] == name for code, name in f.departments)


def test_landlines_use_the_area_code_of_the_prefix(network: list[SynthFacility]) -> None:
    assert len({f.phone for f in network}) == len(network)
    for f in network:
        area = "0209" if f.code.startswith("06") else "0208"
        assert re.fullmatch(rf"{area} 3\d{{3}} \d{{3}}", f.phone)
        assert f.address.endswith(f"{COMMUNES[f.commune_code].name}, tỉnh Thái Nguyên")


def test_other_provinces_are_refused() -> None:
    with pytest.raises(ValueError):
        generate_facilities(seed=1, province_code=1)
