"""Validator: one test per rule family, on clean synthetic episodes broken on purpose."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from tests.claims.samples import all_episodes, episode
from yteso.claims import (
    FINDING_KEYS,
    ClaimDocument,
    Episode,
    cents,
    iter_findings,
    new_envelope,
    specs,
    split,
    validate_episode,
    write_document,
    write_envelope,
)
from yteso.claims.field_rules import check_record
from yteso.claims.findings import Finding, Where


def _errors(sample: Episode) -> set[tuple[str, str | None]]:
    return {(f.rule, f.field) for f in validate_episode(sample, "f.xml") if f.severity == "error"}


def _summary(sample: Episode) -> dict[str, str]:
    return sample.records("XML1")[0]


def test_clean_episodes_have_no_finding() -> None:
    for sample in all_episodes():
        assert validate_episode(sample, "f.xml", _summary(sample)["MA_CSKCB"]) == []


def test_finding_has_the_portal_keys_and_both_languages() -> None:
    sample = episode()
    _summary(sample)["HO_TEN"] = ""
    (finding,) = validate_episode(sample, "f.xml")
    assert tuple(finding.as_dict()) == FINDING_KEYS
    assert finding == Finding(
        "f.xml",
        _summary(sample)["MA_LK"],
        "XML1",
        "1",
        "HO_TEN",
        "REQUIRED",
        "error",
        "Thiếu trường bắt buộc HO_TEN.",
        "Required field HO_TEN is missing.",
    )


@pytest.mark.parametrize(
    ("field", "value", "rule"),
    [
        ("HO_TEN", "", "REQUIRED"),
        ("GIOI_TINH", "nam", "TYPE"),
        ("MA_BENH_CHINH", "A97.00000", "MAX_LENGTH"),
        ("NGAY_VAO", "202501011260", "DATETIME_FORMAT"),
        ("NGAY_SINH", "19801301", "DATETIME_FORMAT"),
        ("GT_THE_TU", "2025-01-01", "DATE_FORMAT"),
        ("GIOI_TINH", "4", "CODE_LIST"),
        ("MA_LOAI_RV", "6", "CODE_LIST"),
        ("KET_QUA_DTRI", "9", "CODE_LIST"),
        ("SO_CCCD", "01908228810", "CCCD_FORMAT"),
        ("MA_THE_BHYT", "GD419191344157", "BHYT_FORMAT"),
        ("MA_NOI_DI", "1900A", "FACILITY_CODE_FORMAT"),
        ("MA_BENH_CHINH", "U99.9", "ICD_UNKNOWN"),
        ("MA_BENH_KT", ";".join(["J06.9"] * 13), "ICD_TOO_MANY_SECONDARY"),
    ],
)
def test_field_rules(field: str, value: str, rule: str) -> None:
    sample = episode()
    _summary(sample)[field] = value
    assert (rule, field) in _errors(sample)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("GIOI_TINH", "²"),
        ("SO_NGAY_DTRI", "¹"),
        ("NGAY_SINH", "1990¹²000000"),
        ("NGAY_VAO", "２０２５０３０１０８００"),  # full-width digits
        ("SO_CCCD", "٠١٩٠٨٢٢٨٨١٠٠"),  # Arabic-Indic digits
        ("MA_THE_BHYT", "GD٤١٩١٩١٣٤٤١٥٧"),
    ],
)
def test_digits_other_than_0_to_9_are_findings_not_crashes(field: str, value: str) -> None:
    """str.isdigit() and \\d take superscript and other scripts' digits; the formats don't."""
    sample = episode()
    _summary(sample)[field] = value
    assert field in {name for _rule, name in _errors(sample)}


def test_birth_date_after_the_visit_and_ages_of_an_unknown_birth_day() -> None:
    sample = episode()
    summary = _summary(sample)
    summary["NGAY_SINH"] = str(int(summary["NGAY_VAO"][:4]) + 1) + "01010000"
    assert ("DATE_ORDER", "NGAY_SINH") in _errors(sample)
    # born some day of 1950: every age it can stand for is far past a newborn's code
    summary.update(NGAY_SINH="195000000000", MA_BENH_KT="P07.3")
    assert ("ICD_AGE_RANGE", "MA_BENH_KT") in _errors(sample)
    # born some day of the visit's year: a newborn's code may fit
    summary["NGAY_SINH"] = summary["NGAY_VAO"][:4] + "00000000"
    assert ("ICD_AGE_RANGE", "MA_BENH_KT") not in _errors(sample)


def test_a_summary_sent_alone_gets_its_date_and_diagnosis_rules() -> None:
    sample = episode()
    summary = _summary(sample)
    summary.update(GIOI_TINH="1", MA_BENH_CHINH="U99.9", MA_BENH_KT="O80")
    summary["NGAY_RA"] = summary["NGAY_VAO"][:8] + "0000"
    alone = write_document(sample.tables("XML1")[0])
    rules = {(f.rule, f.field) for f in iter_findings(io.BytesIO(alone))}
    expected = {("ICD_UNKNOWN", "MA_BENH_CHINH"), ("ICD_SEX_FEMALE_ONLY", "MA_BENH_KT")}
    assert expected | {("DATE_ORDER", "NGAY_RA")} <= rules


def test_fields_the_annex_leaves_optional_are_not_required() -> None:
    """The rules workbook marks them required; the annex's text does not (valid portal
    files would be refused)."""
    sample = episode()
    service = sample.records("XML3")[0]
    service["MA_BENH"] = ""  # the line treats the principal diagnosis
    result = sample.records("XML4")[0]
    result["TEN_CHI_SO"] = ""  # "chưa có tên chỉ số thì để trống"
    assert _errors(sample) == set()


def test_a_paraclinical_line_sent_out_may_lack_its_order_times() -> None:
    sample = episode()
    lab = next(r for r in sample.records("XML3") if r.get("MA_NHOM") in ("1", "2", "3"))
    lab["NGAY_YL"] = lab["NGAY_TH_YL"] = lab["NGUOI_THUC_HIEN"] = ""
    found = {(f.field, f.severity) for f in validate_episode(sample) if f.rule == "REQUIRED"}
    fields = ("NGAY_YL", "NGAY_TH_YL", "NGUOI_THUC_HIEN")
    assert found == {(name, "warning") for name in fields}
    other = next(r for r in sample.records("XML3") if r.get("MA_NHOM") not in ("1", "2", "3"))
    other["NGAY_YL"] = ""
    assert ("REQUIRED", "NGAY_YL") in _errors(sample)


@pytest.mark.parametrize(
    ("value", "severity"),
    [
        ("C1234567", None),  # Vietnamese passport
        ("079203001234", None),  # CCCD
        ("E12345678", "warning"),  # foreign passports: the portal may refuse them
        ("05RF58329", "warning"),
        ("0790300123", "error"),  # digits alone of another length: a mistyped CCCD
        ("B-123456", "error"),
    ],
)
def test_passports_of_any_country_are_accepted(value: str, severity: str | None) -> None:
    sample = episode()
    _summary(sample)["SO_CCCD"] = value
    found = [f.severity for f in validate_episode(sample) if f.field == "SO_CCCD"]
    assert found == ([severity] if severity else [])


@pytest.mark.parametrize(
    ("table", "field", "value"),
    [("XML14", "NGAY_HEN_KL", "202513990000"), ("XML10", "TU_NGAY", "2025-01-01")],
)
def test_dates_are_checked_in_the_format_the_annex_names(
    table: str, field: str, value: str
) -> None:
    found = {f.field: f.rule for f in check_record(table, {field: value}, Where("f"))}
    assert found[field] in ("DATETIME_FORMAT", "DATE_FORMAT")


def test_conditions_the_annex_states_in_its_descriptions() -> None:
    terminated = {"MA_DINH_CHI_THAI": "1", "NGUYENNHAN_DINHCHI": ""}
    found = {(f.field, f.rule) for f in check_record("XML7", terminated, Where("f"))}
    assert {("NGUYENNHAN_DINHCHI", "REQUIRED"), ("TUOI_THAI", "REQUIRED")} <= found
    first_cost = {"MA_DICH_VU": "", "MA_THUOC": "40.136", "TEN_THUOC": ""}
    found = {(f.field, f.rule) for f in check_record("XML0", first_cost, Where("f"))}
    assert ("TEN_THUOC", "REQUIRED") in found and ("MA_DICH_VU", "REQUIRED") not in found
    found = {(f.field, f.rule) for f in check_record("XML0", {"MA_DICH_VU": ""}, Where("f"))}
    assert ("MA_DICH_VU", "REQUIRED") in found
    inpatient = {"NGAY_VAO_NOI_TRU": "202503011000", "LY_DO_VNT": "", "MA_KHUVUC": "K9"}
    found = {(f.field, f.rule) for f in check_record("XML1", inpatient, Where("f"))}
    assert {("LY_DO_VNT", "REQUIRED"), ("MA_KHUVUC", "CODE_LIST")} <= found


@pytest.mark.parametrize(
    ("table", "record", "missing"),
    [
        ("XML6", {"MA_XU_TRI": "1"}, "NGAY_BAT_DAU_XU_TRI"),
        ("XML6", {"MA_TINH_TRANG_DK": "3;1"}, "NGAY_XN_PCR"),  # a ";" list
        ("XML6", {"LOAI_DTRI_LAO": "2"}, "PHACDO_DTRI_LAO"),
        ("XML15", {"PHANLOAI_LAO_HIV": "1"}, "BDDT_ARV"),
    ],
)
def test_hiv_and_tb_details_are_required_when_they_apply(
    table: str, record: dict[str, str], missing: str
) -> None:
    found = {(f.field, f.rule) for f in check_record(table, record, Where("f"))}
    assert (missing, "REQUIRED") in found
    quiet = {name: "0" for name in record}  # not treated, not this status: nothing to give
    found = {(f.field, f.rule) for f in check_record(table, quiet, Where("f"))}
    assert (missing, "REQUIRED") not in found


def test_tables_13_to_15_and_xml12_follow_the_annex() -> None:
    xml15 = {f.name: f for f in specs.table("XML15").fields}
    assert xml15["SO_CCCD"].type == "string" and not xml15["BDDT_ARV"].required
    for born in ("19800101", "19800500", "19800000"):  # yyyymmdd, 00 for unknown
        record = {"NGAY_SINH": born}  # XML12 writes birth dates yyyymmdd
        assert "NGAY_SINH" not in {f.field for f in check_record("XML12", record, Where("f"))}
    wrong = {f.field for f in check_record("XML12", {"NGAY_SINH": "19801301"}, Where("f"))}
    assert "NGAY_SINH" in wrong


def test_unknown_birth_day_and_month_are_accepted() -> None:
    sample = episode()
    _summary(sample)["NGAY_SINH"] = _summary(sample)["NGAY_SINH"][:4] + "00000000"
    assert _errors(sample) == set()


def test_icd_rules_use_sex_and_age() -> None:
    sample = episode()
    summary = _summary(sample)
    summary.update(GIOI_TINH="1", MA_BENH_CHINH="O80")
    assert ("ICD_SEX_FEMALE_ONLY", "MA_BENH_CHINH") in _errors(sample)
    summary.update(GIOI_TINH="2", MA_BENH_KT="I10", NGAY_SINH=summary["NGAY_VAO"][:8] + "0000")
    assert ("ICD_AGE_RANGE", "MA_BENH_KT") in _errors(sample)


def test_icd_codes_written_otherwise_than_qd_4469_are_warnings() -> None:
    for written in ("J06.9", "J069", "G01*"):
        sample = episode()
        _summary(sample).update(MA_BENH_CHINH="J06.9", MA_BENH_KT=written)
        assert [f.rule for f in validate_episode(sample) if f.rule == "ICD_FORMAT"] == []
    sample = episode()
    _summary(sample).update(MA_BENH_CHINH="j06.9", MA_BENH_KT="")
    (finding,) = [f for f in validate_episode(sample) if f.rule == "ICD_FORMAT"]
    assert (finding.field, finding.severity) == ("MA_BENH_CHINH", "warning")
    assert "'J06.9'" in finding.message_vi


def test_unknown_field_is_a_warning() -> None:
    sample = episode()
    _summary(sample)["TRUONG_LA"] = "x"
    (finding,) = validate_episode(sample)
    assert (finding.rule, finding.severity) == ("UNKNOWN_FIELD", "warning")


def test_date_order_and_treatment_days() -> None:
    sample = episode("inpatient")
    summary = _summary(sample)
    summary["NGAY_TTOAN"] = summary["NGAY_VAO"]
    summary["SO_NGAY_DTRI"] = "99"
    assert {("DATE_ORDER", "NGAY_TTOAN"), ("SO_NGAY_DTRI", "SO_NGAY_DTRI")} <= _errors(sample)
    outpatient = episode()
    _summary(outpatient)["SO_NGAY_DTRI"] = "1"
    assert ("SO_NGAY_DTRI", "SO_NGAY_DTRI") in _errors(outpatient)


def test_line_times_and_service_diagnoses() -> None:
    sample = episode()
    line = sample.records("XML3")[0]
    line["NGAY_TH_YL"] = line["NGAY_YL"][:8] + "0000"
    line["MA_BENH"] = "J06.9;X99.99"
    errors = _errors(sample)
    assert {("DATE_ORDER", "NGAY_TH_YL"), ("ICD_UNKNOWN", "MA_BENH")} <= errors


def test_which_tables_must_or_must_not_be_there() -> None:
    inpatient = episode("inpatient", papers=("XML8",))
    inpatient.documents = [d for d in inpatient.documents if d.table != "XML8"]
    assert ("TABLE_MISSING", "LOAIHOSO") in _errors(inpatient)
    outpatient = episode()
    outpatient.documents.append(ClaimDocument("XML8", episode("inpatient").records("XML8")))
    assert ("TABLE_NOT_EXPECTED", "LOAIHOSO") in _errors(outpatient)
    referred = episode("inpatient")
    _summary(referred)["MA_LOAI_RV"] = "2"
    assert ("TABLE_MISSING", "LOAIHOSO") in _errors(referred)
    no_lab = episode()
    no_lab.documents = [d for d in no_lab.documents if d.table != "XML4"]
    no_lab.documents.append(ClaimDocument("XML4", []))
    for line in no_lab.records("XML3"):
        line["MA_NHOM"] = "13"
    assert ("TABLE_NOT_EXPECTED", "LOAIHOSO") in _errors(no_lab)


def test_line_money() -> None:
    sample = episode()
    line = sample.records("XML2")[0]
    line["THANH_TIEN_BV"] = str(Decimal(line["THANH_TIEN_BV"]) + Decimal("0.01"))
    line["T_BHTT"] = "0"
    errors = _errors(sample)
    assert {("MONEY_LINE", "THANH_TIEN_BV"), ("MONEY_LINE", "T_BHTT")} <= errors
    assert ("MONEY_TOTAL", "T_TONGCHI_BV") in errors


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-sNaN", "1e3", "12,5"])
def test_unreadable_amounts_are_type_errors_not_crashes(value: str) -> None:
    sample = episode()
    sample.records("XML2")[0]["DON_GIA"] = value
    _summary(sample)["T_BHTT"] = value
    assert {("TYPE", "DON_GIA"), ("TYPE", "T_BHTT")} <= _errors(sample)


def test_an_unreadable_table_gives_its_finding_and_no_false_consequences() -> None:
    """Its records are missing: no totals against the lines, no table missing or not
    expected because of it."""
    for table, broken in (("XML1", "XML1"), ("XML2", "XML2"), ("XML3", "XML3"), ("XML3", "XML99")):
        sample = episode()
        facility = _summary(sample)["MA_CSKCB"]
        text = write_envelope(new_envelope(facility, "20250301", [sample])).decode()
        opening = f"<LOAIHOSO>{table}</LOAIHOSO><NOIDUNGFILE>"
        start = text.index(opening) + len(opening)
        end = text.index("</NOIDUNGFILE>", start)
        text = text[:start] + "PFRPTkdfSE9QPg" + text[end:]  # cut short
        text = text.replace(f"<LOAIHOSO>{table}<", f"<LOAIHOSO>{broken}<")
        rules = {f.rule for f in iter_findings(io.BytesIO(text.encode()))}
        assert rules in ({"BAD_BASE64"}, {"UNKNOWN_TABLE"}), rules


def test_totals_money() -> None:
    sample = episode()
    _summary(sample)["T_THUOC"] = "1.00"
    _summary(sample)["T_BHTT"] = "0"
    errors = _errors(sample)
    assert {("MONEY_TOTAL", "T_THUOC"), ("MONEY_TOTAL", "T_BHTT")} <= errors


def test_other_funding_steps_of_the_annex() -> None:
    # 1,000,000 cost, 600,000 in BHYT scope, 80 % benefit: BHTT 480,000, BNCCT 120,000,
    # BNTT 400,000 before other funding.
    def parts(other: int) -> tuple[Decimal, Decimal, Decimal]:
        result = split(Decimal(1_000_000), Decimal(600_000), Decimal(80), Decimal(other))
        return result["T_BNTT"], result["T_BNCCT"], result["T_BHTT"]

    assert parts(0) == (400_000, 120_000, 480_000)
    assert parts(100_000) == (300_000, 120_000, 480_000)  # off T_BNTT
    assert parts(450_000) == (0, 70_000, 480_000)  # then T_BNCCT
    assert parts(600_000) == (0, 0, 400_000)  # then T_BHTT
    assert parts(1_000_000) == (0, 0, 0)  # the whole cost: nothing left to pay


def _line_with_other_funding() -> tuple[Episode, dict[str, str]]:
    """The sample's first drug line, with 100.00 of state budget support (case a)."""
    sample = episode()
    line = sample.records("XML2")[0]
    line["T_NGUONKHAC_NSNN"] = line["T_NGUONKHAC"] = "100.00"
    parts = split(
        Decimal(line["THANH_TIEN_BV"]),
        Decimal(line["THANH_TIEN_BH"]),
        Decimal(line["MUC_HUONG"]),
        Decimal(100),
    )
    line.update({name: str(value) for name, value in parts.items()})
    return sample, line


def test_a_line_with_support_to_the_facility_is_checked_like_any_other() -> None:
    """Case b: 100.00 off the cost before the split."""
    sample = episode()
    line = sample.records("XML2")[0]
    cost, rate = Decimal(line["THANH_TIEN_BV"]), Decimal(line["MUC_HUONG"])
    line["TYLE_TT_BH"] = "100"
    line["T_NGUONKHAC_NSNN"] = line["T_NGUONKHAC"] = "100.00"
    in_scope = cost - 100
    bhtt = cents(in_scope * rate / 100)
    line.update(
        THANH_TIEN_BH=str(in_scope), T_BHTT=str(bhtt), T_BNCCT=str(in_scope - bhtt), T_BNTT="0"
    )
    assert {e for e in _errors(sample) if e[0] == "MONEY_LINE"} == set()
    line["DON_GIA"] = str(Decimal(line["DON_GIA"]) + 1)  # the cost no longer adds up
    assert ("MONEY_LINE", "THANH_TIEN_BV") in _errors(sample)


def test_other_funding_above_the_cost_is_a_finding() -> None:
    sample, line = _line_with_other_funding()
    line["T_NGUONKHAC_NSNN"] = line["T_NGUONKHAC"] = str(2 * Decimal(line["THANH_TIEN_BV"]))
    line["T_BHTT"] = str(-Decimal(line["THANH_TIEN_BV"]))
    assert ("MONEY_LINE", "T_NGUONKHAC") in _errors(sample)


def test_a_negative_line_without_other_funding_gets_its_split_checked() -> None:
    sample = episode()
    line = sample.records("XML2")[0]
    line.update(SO_LUONG="-1", DON_GIA="100", TYLE_TT_BH="100", MUC_HUONG="80")
    line.update(THANH_TIEN_BV="-100.00", THANH_TIEN_BH="-100.00", T_BNTT="0.00")
    line.update(T_BHTT="-81.00", T_BNCCT="-20.00")
    found = {f.field for f in validate_episode(sample) if f.rule == "MONEY_LINE"}
    assert found == {"T_BHTT"}  # -80.00; T_BNCCT -20.00 is right


def test_a_wrong_cost_gives_the_split_of_the_right_one() -> None:
    sample = episode()
    line = sample.records("XML2")[0]
    expected_bhtt = line["T_BHTT"]
    line["THANH_TIEN_BV"] = "1.00"
    found = {f.field: f for f in validate_episode(sample) if f.rule == "MONEY_LINE"}
    assert set(found) == {"THANH_TIEN_BV"}, found  # T_BHTT etc. fit the right cost
    assert expected_bhtt not in found["THANH_TIEN_BV"].message_vi


def test_links_sequences_and_duplicates() -> None:
    sample = episode()
    sample.records("XML3")[0]["MA_LK"] = "KHAC"
    sample.records("XML2")[-1]["STT"] = "99"
    errors = _errors(sample)
    assert {("MA_LK_MISMATCH", "MA_LK"), ("STT_SEQUENCE", "STT")} <= errors
    twice = write_envelope(new_envelope("19001", "20250301", [episode(), episode()]))
    rules = [f.rule for f in iter_findings(io.BytesIO(twice), "twice.xml")]
    assert "DUPLICATE_MA_LK" in rules


def test_missing_summary_and_foreign_facility() -> None:
    sample = episode()
    code = _summary(sample)["MA_CSKCB"]
    assert validate_episode(sample, facility_code="19999")[0].rule == "FACILITY_MISMATCH"
    sample.documents = [d for d in sample.documents if d.table != "XML1"]
    assert ("TABLE_MISSING", "LOAIHOSO") in {
        (f.rule, f.field) for f in validate_episode(sample, facility_code=code)
    }


def test_conditional_required_fields() -> None:
    sample = episode("inpatient")
    procedure = next(r for r in sample.records("XML3") if r["MA_NHOM"] not in ("1", "2", "3"))
    procedure.update(MA_NHOM="8", NGUOI_THUC_HIEN="")  # who operated: always required
    sample.records("XML4")[0]["NGAY_KQ"] = ""
    supply = next(r for r in sample.records("XML3") if r["MA_NHOM"] == "10")
    supply["TT_THAU"] = ""
    errors = _errors(sample)
    assert {("REQUIRED", "NGUOI_THUC_HIEN"), ("REQUIRED", "NGAY_KQ"), ("REQUIRED", "TT_THAU")} <= (
        errors
    )


def test_envelope_header_formats() -> None:
    raw = write_envelope(new_envelope("19A01", "2025-03-01", [episode()]))
    rules = {(f.rule, f.field) for f in iter_findings(io.BytesIO(raw), "f.xml")}
    assert {("FACILITY_CODE_FORMAT", "MACSKCB"), ("DATE_FORMAT", "NGAYLAP")} <= rules


def test_cents_round_half_up() -> None:
    assert [cents(Decimal(v)) for v in ("0.125", "-0.125", "2.004", "7")] == [
        Decimal("0.13"),
        Decimal("-0.13"),
        Decimal("2.00"),
        Decimal("7.00"),
    ]


def test_remembered_line_formulas_give_the_same_findings() -> None:
    """Formula results are kept by their inputs; 0 and -0 are equal inputs with results
    that differ in sign, so a zero result must be worked out again each time."""
    sample = episode()
    line = sample.records("XML3")[0]
    found = []
    for quantity in ("0", "-0", "0", "-0"):
        line["SO_LUONG"] = quantity
        found += [f.message_en for f in validate_episode(sample) if f.field == "THANH_TIEN_BV"]
    assert [message.rsplit(" ", 1)[1] for message in found] == ["0.00.", "-0.00."] * 2
    line["SO_LUONG"] = "2"
    assert validate_episode(sample) == validate_episode(sample)
