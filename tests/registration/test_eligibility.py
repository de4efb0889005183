"""Card rules: status from the portal's code, validity days, benefit level, network rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from yteso.facilities import FacilityOut
from yteso.registration.card_lookup import CardLookup, PortalUnavailable
from yteso.registration.eligibility import assess, unchecked

VISIT = date(2026, 11, 25)


def facility(code: str = "19001", level: str = "co_ban", **changes: object) -> FacilityOut:
    values: dict[str, object] = {
        "code": code,
        "name": "Bệnh viện A Thái Nguyên",
        "kind": "hospital",
        "owner": "department_of_health",
        "technical_level": level,
        "commune_code": "05440",
        "address": None,
        "phone": None,
        "emr_status": "not_started",
        "iso15189_lab": False,
        "telemedicine_hub": False,
        "active": True,
        "is_demo": True,
        "departments": [],
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    values.update(changes)
    return FacilityOut.model_validate(values)


def lookup(
    code: str = "000", card: str | None = "DN4191912345678", **changes: object
) -> CardLookup:
    base = CardLookup(
        result_code=code,
        note="",
        card_number=card,
        full_name="Nguyễn Văn An",
        birth_date="01/02/1980",
        registered_facility="19101",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 31),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


HOSPITAL = facility()
STATION = facility("19101", "ban_dau", kind="commune_health_station")


def test_registered_facility_is_in_network_with_benefit_from_third_character() -> None:
    result = assess(lookup(), STATION, VISIT)
    assert result.status == "valid" and result.insured
    assert (result.group, result.benefit_level) == ("DN", 80)
    assert result.network_rule == "registered_facility" and result.in_network
    assert (result.outpatient_share, result.inpatient_share) == (100, 100)
    assert "80 %" in result.message_vi and "80 %" in result.message_en


@pytest.mark.parametrize(
    ("card", "group", "level"),
    [
        ("TE1191912345678", "TE", 100),
        ("CK2191912345678", "CK", 100),
        ("HT3191912345678", "HT", 95),
        ("GD4191912345678", "GD", 80),
        ("QN5971912345678", "QN", 100),
    ],
)
def test_benefit_level_by_digit(card: str, group: str, level: int) -> None:
    result = assess(lookup(card=card), STATION, VISIT)
    assert (result.group, result.benefit_level) == (group, level)


@pytest.mark.parametrize(
    ("visit", "status"),
    [
        (date(2025, 12, 31), "invalid"),  # the day before the card starts
        (date(2026, 1, 1), "valid"),  # first day
        (date(2026, 12, 31), "valid"),  # last day
        (date(2027, 1, 1), "expired"),  # the day after
    ],
)
def test_validity_days_are_inclusive(visit: date, status: str) -> None:
    result = assess(lookup(), STATION, visit)
    assert result.status == status
    assert result.in_network is (status == "valid")


def test_expired_card_says_so_and_still_offers_a_number() -> None:
    result = assess(lookup(valid_to=date(2026, 11, 24)), STATION, VISIT)
    assert result.status == "expired" and not result.in_network
    assert "24/11/2026" in result.message_vi and "hết hạn" in result.message_vi
    assert result.network_rule == "not_covered" and result.outpatient_share == 0


def test_portal_expired_code() -> None:
    result = assess(lookup("010"), STATION, VISIT)
    assert result.status == "expired"
    assert result.result_code == "010"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("050", "not_found"),
        ("130", "not_found"),
        ("051", "invalid"),
        ("053", "invalid"),
        ("060", "invalid"),
        ("061", "invalid"),
        ("070", "invalid"),
        ("110", "invalid"),
        ("124", "invalid"),
        ("999", "invalid"),
    ],
)
def test_portal_refusals(code: str, status: str) -> None:
    result = assess(lookup(code), STATION, VISIT)
    assert result.status == status and not result.in_network
    assert result.result_code == code
    assert result.message_vi and result.message_en


def test_wrong_birth_date_message_names_it() -> None:
    assert "ngày sinh" in assess(lookup("070"), STATION, VISIT).message_vi


def test_replaced_card_is_judged_on_the_new_card() -> None:
    answer = lookup(
        "003",
        valid_to=date(2025, 12, 31),
        new_card_number="HT3191912345678",
        new_valid_from=date(2026, 1, 1),
        new_valid_to=date(2026, 12, 31),
        new_registered_facility="19001",
    )
    result = assess(answer, HOSPITAL, VISIT)
    assert result.status == "valid"
    assert (result.card_number, result.benefit_level) == ("HT3191912345678", 95)
    assert result.network_rule == "registered_facility"


def test_replaced_card_without_new_card_is_expired() -> None:
    assert assess(lookup("003"), STATION, VISIT).status == "expired"


@pytest.mark.parametrize("code", ["001", "002", "004"])
def test_codes_that_confirm_the_card(code: str) -> None:
    result = assess(lookup(code), STATION, VISIT)
    assert result.status == "valid"
    assert ("giấy tờ tùy thân" in result.message_vi) is (code != "004")


def test_missing_dates_or_malformed_card_are_invalid() -> None:
    assert assess(lookup(valid_to=None), STATION, VISIT).status == "invalid"
    assert assess(lookup(card="XX4191912345678"), STATION, VISIT).status == "invalid"
    assert assess(lookup(card=None), STATION, VISIT).status == "invalid"


def test_emergency_is_in_network_anywhere() -> None:
    specialised = facility("19015", "chuyen_sau", owner="ministry")
    result = assess(lookup(), specialised, VISIT, emergency=True)
    assert result.network_rule == "emergency" and result.in_network


def test_referral_is_in_network() -> None:
    specialised = facility("19015", "chuyen_sau", owner="ministry")
    result = assess(lookup(), specialised, VISIT, referred=True)
    assert result.network_rule == "referral" and result.in_network


def test_any_primary_level_facility_is_in_network() -> None:
    other_station = facility("19150", "ban_dau", kind="commune_health_station")
    result = assess(lookup(), other_station, VISIT)
    assert result.network_rule == "primary_level" and result.in_network


def test_former_district_basic_level_is_in_network() -> None:
    centre = facility("19008", "co_ban", kind="health_centre")
    result = assess(lookup(), centre, VISIT)
    assert result.network_rule == "basic_level" and result.in_network


def test_former_provincial_basic_level_pays_half_outpatient() -> None:
    result = assess(lookup(), HOSPITAL, VISIT)
    assert result.network_rule == "basic_level_partial" and not result.in_network
    assert (result.outpatient_share, result.inpatient_share) == (50, 100)
    assert result.status == "valid"


def test_specialised_level_self_referred_is_out_of_network() -> None:
    specialised = facility("19015", "chuyen_sau", owner="ministry")
    result = assess(lookup(), specialised, VISIT)
    assert result.network_rule == "specialised_level" and not result.in_network
    assert (result.outpatient_share, result.inpatient_share) == (0, 40)


def test_registered_facility_wins_over_level_rules() -> None:
    result = assess(lookup(registered_facility="19001"), HOSPITAL, VISIT)
    assert result.network_rule == "registered_facility" and result.in_network


def test_unchecked_when_portal_is_down() -> None:
    result = unchecked(PortalUnavailable("timeout"))
    assert result.status == "unchecked" and not result.insured
    assert "vẫn lấy số được" in result.message_vi
