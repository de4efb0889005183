from __future__ import annotations

from dataclasses import replace

from yteso.patients.features import RawRecord, blocking_keys, prepare
from yteso.patients.matching import Outcome, PairDecision, Thresholds, decide, default_model

_HA = RawRecord(
    record_id="a",
    full_name="Nguyễn Thị Thu Hà",
    birth_date="1990-05-17",
    sex="2",
    cccd="019190001234",
    bhyt="GD4191234567890",
    commune_code="05443",
    phone="0912345678",
)


def _with(**changes: str) -> RawRecord:
    return replace(_HA, record_id="b", **changes)


def _decide(a: RawRecord, b: RawRecord) -> PairDecision:
    return decide(default_model(), Thresholds(), prepare(a), prepare(b))


def test_malformed_values_are_reported_per_field_and_dropped() -> None:
    record = prepare(_with(cccd="12345", bhyt="XX", phone="abc", birth_date="1990-13-01", sex="x"))
    assert {p.field for p in record.problems} == {"cccd", "bhyt", "phone", "birth_date", "sex"}
    assert record.cccd is None and record.sin is None and record.birth is None


def test_cccd_disagreeing_with_birth_year_is_not_trusted_for_exact_link() -> None:
    record = prepare(_with(birth_date="1991-05-17"))
    assert record.cccd == "019190001234" and not record.cccd_confirmed
    assert record.warnings


def test_same_cccd_links_exactly_with_an_explanation() -> None:
    decision = _decide(_HA, _with(full_name="Nguyen Thi Thu Ha", phone=""))
    assert decision.outcome is Outcome.LINK and decision.rule == "cccd"
    fields = {e.field: e for e in decision.evidence}
    assert fields["cccd"].level == "same" and fields["cccd"].weight > 10
    assert fields["phone"].level == "unknown" and fields["phone"].weight == 0


def test_typo_cccd_shared_with_another_person_is_not_an_exact_link() -> None:
    other = _with(full_name="Trần Văn Bình", birth_date="1990-11-02", bhyt="", phone="")
    decision = _decide(_HA, other)
    assert decision.rule == "probabilistic"
    assert decision.outcome is not Outcome.LINK


def test_renewed_bhyt_card_keeps_the_social_insurance_number() -> None:
    decision = _decide(_HA, _with(bhyt="HT3191234567890", cccd=""))
    assert decision.outcome is Outcome.LINK and decision.rule == "social insurance number"


def test_messy_copy_without_identifiers_links_probabilistically() -> None:
    messy = _with(full_name="Nguyen Thu Ha", birth_date="1990-05-17", cccd="", bhyt="", phone="")
    decision = _decide(_HA, messy)
    assert decision.rule == "probabilistic"
    assert decision.outcome is Outcome.LINK, decision


def test_sibling_with_another_given_name_is_not_linked() -> None:
    sister = _with(full_name="Nguyễn Thị Thu Hương", birth_date="1993-02-11", cccd="", bhyt="")
    assert _decide(_HA, sister).outcome is Outcome.NEW


def test_rare_family_name_is_stronger_evidence_than_nguyen() -> None:
    common = _decide(_with(cccd="", bhyt="", phone=""), _with(cccd="", bhyt="", phone=""))
    rare_a = _with(full_name="Khổng Thị Thu Hà", cccd="", bhyt="", phone="")
    rare = _decide(rare_a, rare_a)
    assert rare.weight > common.weight


def test_too_little_to_match_on_is_never_linked() -> None:
    bare = RawRecord(record_id="x", full_name="Hà", sex="2")
    record = prepare(bare)
    assert record.too_little
    assert _decide(_with(cccd="", bhyt="", phone=""), bare).outcome is not Outcome.LINK


def test_blocking_keys_survive_each_kind_of_damage() -> None:
    base = blocking_keys(prepare(_HA))

    def shares(other: RawRecord) -> bool:
        keys = blocking_keys(prepare(other))
        return any(k is not None and k == o for k, o in zip(base, keys, strict=True))

    bare = {"cccd": "", "bhyt": "", "phone": ""}
    assert shares(_with(commune_code="01960", **bare))
    assert shares(_with(full_name="Nguyễn Thị Thu Hoà", **bare))  # typo in the given name
    assert shares(_with(birth_date="1990", **bare))  # year only
    swapped = blocking_keys(prepare(_with(birth_date="1990-07-05", commune_code="01960", **bare)))
    original = blocking_keys(prepare(_with(birth_date="1990-05-07", **bare)))
    assert any(k is not None and k == o for k, o in zip(original, swapped, strict=True))
    assert not shares(
        _with(full_name="Lê Văn Nam", birth_date="1970", commune_code="01960", **bare)
    )
