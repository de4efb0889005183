"""ICD-10 (QĐ 4469) package data: counts, lookup, search and rule checks."""

from __future__ import annotations

import pytest

from yteso.core.text import fold
from yteso.reference import icd10
from yteso.reference.icd10 import DaggerAsteriskPair

DENGUE = ["A97", "A97.0", "A97.1", "A97.2", "A97.9"]


def test_distinct_codes_are_the_12219_rows_less_82_duplicated_categories() -> None:
    codes = icd10.codes()
    assert len(codes) == 12_219 - 82
    assert len({c.code_nodot for c in codes}) == len(codes)
    assert [c.code for c in codes[:3]] == ["A00", "A00.0", "A00.1"]


def test_marks_counted_from_the_main_sheet() -> None:
    marks = [c.mark for c in icd10.codes()]
    assert marks.count("dagger") == 82
    assert marks.count("asterisk") == 776


def test_dengue_follows_the_2019_update() -> None:
    assert [c.code for c in icd10.codes() if c.code_nodot.startswith("A97")] == DENGUE
    assert icd10.get("A91") is None
    assert icd10.get("A90") is not None


@pytest.mark.parametrize("form", ["A97.0", "A970", "a97.0", " a97.0 ", "A 97 0", "a970"])
def test_get_accepts_every_written_form(form: str) -> None:
    code = icd10.get(form)
    assert code is not None
    assert (code.code, code.code_nodot) == ("A97.0", "A970")
    assert code.name_vi == "Sốt xuất huyết không có dấu hiệu cảnh báo"
    assert code.name_en == "Dengue without warning signs"


def test_get_carries_chapter_and_groups() -> None:
    code = icd10.get("M89.1")
    assert code is not None
    assert (code.chapter.number, code.chapter.range) == ("XIII", "M00-M99")
    assert code.group.range == "M80-M94"
    assert [g.range for g in code.subgroups] == ["M86-M90"]
    dengue = icd10.get("A97.0")
    assert dengue is not None
    assert dengue.chapter.name_vi == "Bệnh nhiễm trùng và ký sinh trùng"
    assert dengue.group.range == "A90-A99"
    assert dengue.subgroups == ()


def test_get_unknown_or_marked_codes() -> None:
    assert icd10.get("") is None
    assert icd10.get("ZZZ") is None
    g01 = icd10.get("G01*")
    assert g01 is not None and g01.mark == "asterisk"
    a170 = icd10.get("A17.0")
    assert a170 is not None and a170.mark == "dagger"


def test_five_character_codes_are_dotted_after_three() -> None:
    code = icd10.get("M0762")
    assert code is not None and code.code == "M07.62"


def test_search_without_diacritics_finds_dengue_on_first_page() -> None:
    found = [c.code for c in icd10.search("sot xuat huyet")]
    assert set(DENGUE) <= set(found)
    assert found == [c.code for c in icd10.search("Sốt xuất huyết")]
    assert all("sot xuat huyet" in fold(c.name_vi) for c in icd10.search("sot xuat huyet")[:10])


def test_search_requires_every_word() -> None:
    # "Dengue" is in the Vietnamese name of A97 and the English names of its subcodes.
    assert [c.code for c in icd10.search("sot xuat huyet dengue")] == DENGUE
    assert icd10.search("sot xuat huyet khongcotu") == []
    assert [c.code for c in icd10.search("xuat huyet nang")] == ["A97.2"]


def test_search_by_code_prefix_comes_first() -> None:
    assert [c.code for c in icd10.search("A97")] == DENGUE
    assert [c.code for c in icd10.search("a97.0")] == ["A97.0"]
    assert [c.code for c in icd10.search("J18", limit=3)] == ["J18", "J18.0", "J18.1"]


def test_search_ranks_names_starting_with_the_words_before_others() -> None:
    found = [c.code for c in icd10.search("sot xuat huyet", limit=50)]
    # A48.4 "Sốt ban xuất huyết Brasil" has every word but does not start with them: it
    # comes after A99 although it comes first in classification order.
    assert found[0] == "A96"
    assert found[-1] == "A48.4"
    assert found.index("A99") < found.index("A48.4")


def test_search_limits_and_empty_queries() -> None:
    assert len(icd10.search("benh", limit=7)) == 7
    assert icd10.search("") == []
    assert icd10.search("   ") == []
    assert icd10.search("benh", limit=0) == []


def _rules(
    code: str,
    *,
    sex: int | None = None,
    age_days: int | None = None,
    principal: bool = False,
    secondary: tuple[str, ...] | list[str] = (),
) -> list[str]:
    found = icd10.check(code, sex=sex, age_days=age_days, principal=principal, secondary=secondary)
    return [v.rule for v in found]


def test_unknown_code() -> None:
    [violation] = icd10.check("A91", principal=True, sex=1, age_days=10)
    assert violation.rule == "ICD_UNKNOWN"
    assert "A91" in violation.message_vi and "A91" in violation.message_en


def test_female_only_code_for_a_man() -> None:
    [violation] = icd10.check("O80", sex=1)  # O80 "Đẻ thường một thai", annex A4.1
    assert (violation.rule, violation.annex) == ("ICD_SEX_FEMALE_ONLY", "A4.1")
    assert violation.code == "O80"
    assert "nữ" in violation.message_vi and "female" in violation.message_en
    assert _rules("O80.0", sex=1) == ["ICD_SEX_FEMALE_ONLY"]
    assert _rules("O80", sex=2) == []


def test_male_only_code_for_a_woman() -> None:
    [violation] = icd10.check("N40", sex=2)  # "Tăng sản tuyến tiền liệt", annex A4.2
    assert (violation.rule, violation.annex) == ("ICD_SEX_MALE_ONLY", "A4.2")
    assert _rules("N40", sex=1) == []


@pytest.mark.parametrize("sex", [3, None, 0])
def test_undetermined_or_unknown_sex_never_breaks_a_sex_rule(sex: int | None) -> None:
    assert _rules("O80", sex=sex) == []
    assert _rules("N40", sex=sex) == []


def test_newborn_code_for_a_two_year_old() -> None:
    code = icd10.get("P00.0")
    assert code is not None
    assert (code.min_age_days, code.max_age_days) == (0, 365)
    [violation] = icd10.check("P00.0", age_days=730)
    assert (violation.rule, violation.annex) == ("ICD_AGE_RANGE", "A3.1")
    assert "365" in violation.message_vi and "730" in violation.message_en
    assert _rules("P00.0", age_days=365) == []
    assert _rules("P00.0", age_days=None) == []


def test_an_age_range_breaks_a_limit_only_if_every_age_of_it_does() -> None:
    """A birth date of unknown day or month: the youngest and oldest the patient can be."""
    assert _rules("P00.0", age_days=(700, 1065)) == ["ICD_AGE_RANGE"]
    assert _rules("P00.0", age_days=(200, 565)) == []
    assert _rules("B94.0", age_days=(0, 20)) == ["ICD_AGE_RANGE"]
    assert _rules("B94.0", age_days=(0, 365)) == []
    [violation] = icd10.check("P00.0", age_days=(700, 1065))
    assert "700–1065" in violation.message_vi


def test_age_limits_read_from_each_annex_title() -> None:
    assert _rules("B94.0", age_days=27) == ["ICD_AGE_RANGE"]  # A3.5: over 27 days
    assert _rules("B94.0", age_days=28) == []
    assert _rules("E30.9", age_days=7 * 365) == ["ICD_AGE_RANGE"]  # A3.7: 8-19 years
    assert _rules("E30.9", age_days=12 * 365) == []
    assert _rules("E30.9", age_days=20 * 366) == ["ICD_AGE_RANGE"]
    assert _rules("A52.0", age_days=15 * 365) == ["ICD_AGE_RANGE"]  # A3.9: over 15 years
    assert _rules("A52.0", age_days=16 * 365) == []
    assert _rules("G30.1", age_days=25 * 365) == ["ICD_AGE_RANGE"]  # A3.10: over 30 years
    assert _rules("G30.1", age_days=31 * 365) == []
    a34 = icd10.get("A34")  # obstetrical tetanus: A3.8 (9-60 years) and A4.1
    assert a34 is not None and a34.sex == "female"
    assert [a.annex for a in a34.age_limits] == ["A3.8"]


def test_code_not_allowed_as_principal() -> None:
    [violation] = icd10.check("B95.0", principal=True)  # annex A2
    assert (violation.rule, violation.annex) == ("ICD_NOT_PRINCIPAL", "A2")
    assert "B95.0" in violation.message_vi
    assert _rules("B95.0", principal=False) == []
    code = icd10.get("B95.0")
    assert code is not None and not code.valid_as_principal


def test_asterisk_code_is_principal_next_to_its_dagger() -> None:
    g01 = icd10.get("G01")
    assert g01 is not None
    assert DaggerAsteriskPair("A01.0", "G01", "G01") in g01.pairs
    assert _rules("G01", principal=True) == ["ICD_NOT_PRINCIPAL"]
    assert _rules("G01", principal=True, secondary=["A01.0"]) == []
    assert _rules("G01", principal=True, secondary=["A010", "J18.9"]) == []
    assert _rules("G01", principal=True, secondary=["J18.9"]) == ["ICD_NOT_PRINCIPAL"]


def test_every_broken_rule_is_listed() -> None:
    assert _rules("O80", sex=1, age_days=5 * 365) == ["ICD_SEX_FEMALE_ONLY", "ICD_AGE_RANGE"]


def test_ordinary_diagnoses_pass() -> None:
    assert _rules("J18.9", sex=1, age_days=40 * 365, principal=True) == []
    assert _rules("A97.0", sex=2, age_days=3 * 365, principal=True) == []
    assert _rules("O80", sex=2, age_days=25 * 365, principal=True) == []


def test_drg_category_from_annex_e() -> None:
    code = icd10.get("A00.0")
    assert code is not None and code.drg_mdc == ("6",)
    not_grouped = icd10.get("B95.0")
    assert not_grouped is not None and not_grouped.drg_mdc == ("U1",)
