"""Field-level rules of one record, compiled once per table from the specs: required, type,
maximum length, unknown fields, and the formats and code lists of `formats.FIELD_FORMATS`.

Compiled because a typical episode has about a thousand field values and the goal is
2,000 episodes a second: each value costs one dict lookup and a few comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from yteso.claims import formats, specs
from yteso.claims.envelope import Record
from yteso.claims.findings import Finding, Severity, Where
from yteso.claims.formats import Checker

_NUMBER = re.compile(r"-?\d+(\.\d+)?", re.ASCII)
_NO_LIMIT = 1 << 62

# name -> (maximum length, is a number, format checker); required names apart
_FieldRule = tuple[int, bool, Checker | None]


@cache
def _rules(table_id: str) -> tuple[dict[str, _FieldRule], frozenset[str]]:
    fields = specs.table(table_id).fields
    rules = {
        f.name: (
            f.max_size or _NO_LIMIT,
            f.type == "number",
            formats.checker(f.name, f.max_size, f"{f.description or ''} {f.note_4750 or ''}"),
        )
        for f in fields
    }
    return rules, frozenset(f.name for f in fields if f.required)


def finding_of(problem: formats.Problem, where: Where, name: str) -> Finding:
    severity: Severity = "warning" if problem[3:] == ("warning",) else "error"
    return where.finding(problem[0], problem[1], problem[2], field=name, severity=severity)


def check_record(table_id: str, record: Record, where: Where) -> list[Finding]:
    rules, required = _rules(table_id)
    found: list[Finding] = []
    for name, value in record.items():
        try:  # a subscript, not .get(): one call less for each of ~1,000 values an episode
            max_size, number, checker = rules[name]
        except KeyError:
            found.append(_unknown(name, table_id, where))
            continue
        if not value:
            if name in required:
                found.append(_missing(name, where))
            continue
        if len(value) > max_size:
            found.append(_too_long(name, value, max_size, where))
        if number and value not in _numbers and not _is_number(value):
            found.append(_not_number(name, value, where))
        elif checker is not None:
            problem = checker(value)
            if problem is not None:
                found.append(finding_of(problem, where, name))
    if not required <= record.keys():
        found.extend(_missing(name, where) for name in sorted(required - record.keys()))
    if table_id in CONDITIONAL_REQUIRED:
        found.extend(check_conditions(table_id, record, where))
    return found


# Amounts repeat a lot ("0", "100.00", prices): remembering good ones skips the regex.
_numbers: set[str] = set()
_NUMBERS_KEPT = 200_000


def _is_number(value: str) -> bool:
    if not _NUMBER.fullmatch(value):
        return False
    if len(_numbers) >= _NUMBERS_KEPT:
        _numbers.clear()
    _numbers.add(value)
    return True


def _missing(name: str, where: Where) -> Finding:
    return where.finding(
        "REQUIRED",
        f"Thiếu trường bắt buộc {name}.",
        f"Required field {name} is missing.",
        field=name,
    )


def _unknown(name: str, table_id: str, where: Where) -> Finding:
    return where.finding(
        "UNKNOWN_FIELD",
        f"Trường {name} không có trong bảng {table_id} (QĐ 4750); bị bỏ qua.",
        f"Field {name} is not in table {table_id} (QĐ 4750); ignored.",
        field=name,
        severity="warning",
    )


def _too_long(name: str, value: str, limit: int, where: Where) -> Finding:
    return where.finding(
        "MAX_LENGTH",
        f"{name} dài {len(value)} ký tự, tối đa {limit}.",
        f"{name} is {len(value)} characters long, at most {limit}.",
        field=name,
    )


def _not_number(name: str, value: str, where: Where) -> Finding:
    return where.finding(
        "TYPE",
        f"{name} = '{value}' phải là số (dấu thập phân là dấu chấm).",
        f"{name} = '{value}' must be a number (decimal point '.').",
        field=name,
    )


_PERFORMED_GROUPS = frozenset({"1", "2", "3", "8", "18"})  # tests, imaging, procedures
# Tests, imaging, functional tests: QĐ 4750 lets NGAY_YL and NGAY_TH_YL be empty when the
# facility sent them to another one ("chuyển gửi xét nghiệm cận lâm sàng"), which the
# line does not say: a warning there, an error for any other line.
_PARACLINICAL_GROUPS = frozenset({"1", "2", "3"})
Condition = Callable[[Record], bool]


def _terminated(record: Record) -> bool:
    return record.get("MA_DINH_CHI_THAI") == "1"


_TREATED = ("1", "2", "3")  # LOAI_DTRI_LAO other than 0 "Không điều trị lao"
_Rule = tuple[str, Condition, str, str, Severity]


def _required_when(
    field: str, values: tuple[str, ...], names: tuple[str, ...], severity: Severity = "error"
) -> list[_Rule]:
    """`names` required when `field` holds one of `values`, alone or in its `;` list
    (MA_TINH_TRANG_DK "1;3"): the rules workbook's XML6 conditions, and XML15's."""
    listed, wanted = ", ".join(values), frozenset(values)
    return [
        (
            name,
            lambda r: not wanted.isdisjoint(c.strip() for c in (r.get(field) or "").split(";")),
            f"khi {field} có {listed}",
            f"when {field} holds {listed}",
            severity,
        )
        for name in names
    ]


def _surgical(record: Record) -> bool:
    return record.get("MA_NHOM") in ("8", "18")  # thủ thuật, phẫu thuật


def _not_paraclinical(record: Record) -> bool:
    return record.get("MA_NHOM") not in _PARACLINICAL_GROUPS


_SURGICAL = ("khi MA_NHOM là 8, 18", "when MA_NHOM is 8 or 18")


def _paraclinical_may_lack(
    name: str, required: Condition, when: tuple[str, str] = _SURGICAL
) -> list[_Rule]:
    """Required (an error) when `required` holds; on a paraclinical line a warning, as it
    may have been sent out."""
    return [
        (name, required, *when, "error"),
        (
            name,
            lambda r: r.get("MA_NHOM") in _PARACLINICAL_GROUPS,
            _SENT_OUT_VI,
            _SENT_OUT_EN,
            "warning",
        ),
    ]


_INPATIENT_REASON: _Rule = (
    "LY_DO_VNT",
    lambda r: bool(r.get("NGAY_VAO_NOI_TRU")),
    "khi có NGAY_VAO_NOI_TRU",
    "when NGAY_VAO_NOI_TRU is given",
    "error",
)


_SENT_OUT_VI = "chỉ được để trống khi chuyển gửi xét nghiệm cận lâm sàng; kiểm tra lại"
_SENT_OUT_EN = "may be empty only for paraclinical tests sent to another facility; check it"
# Required flags the rules workbook states as conditions ("Bắt buộc khi MA_NHOM = 12"):
# (field, when, when in Vietnamese, in English, severity).
CONDITIONAL_REQUIRED: dict[str, tuple[_Rule, ...]] = {
    "XML2": (
        (
            "TT_THAU",
            lambda r: r.get("MA_NHOM") not in ("7", "17"),
            "trừ thuốc nhóm 7, 17",
            "except drug groups 7 and 17",
            "error",
        ),
    ),
    "XML3": (
        (
            "MA_XANG_DAU",
            lambda r: r.get("MA_NHOM") == "12",
            "khi MA_NHOM = 12",
            "when MA_NHOM = 12",
            "error",
        ),
        (
            "TT_THAU",
            lambda r: r.get("MA_NHOM") == "10",
            "khi MA_NHOM = 10",
            "when MA_NHOM = 10",
            "error",
        ),
        *_paraclinical_may_lack("NGUOI_THUC_HIEN", _surgical),
        *_paraclinical_may_lack("NGAY_TH_YL", _surgical),
        *_paraclinical_may_lack(
            "NGAY_YL",
            _not_paraclinical,
            ("trừ dịch vụ cận lâm sàng chuyển gửi", "except paraclinical tests sent out"),
        ),
        (
            "MA_DICH_VU",
            lambda r: not r.get("MA_VAT_TU"),
            "khi không có MA_VAT_TU",
            "when there is no MA_VAT_TU",
            "error",
        ),
    ),
    **{
        table: tuple(
            (
                name,
                _terminated,
                "khi đình chỉ thai nghén (MA_DINH_CHI_THAI = 1)",
                "when a pregnancy was terminated (MA_DINH_CHI_THAI = 1)",
                "error",
            )
            for name in names
        )
        for table, names in (
            ("XML7", ("NGUYENNHAN_DINHCHI", "THOIGIAN_DINHCHI", "TUOI_THAI")),
            ("XML11", ("NGUYENNHAN_DINHCHI", "TUOI_THAI")),
        )
    },
    "XML0": (
        # The first cost of the visit: a service, a drug or a supply, each with its name.
        (
            "MA_DICH_VU",
            lambda r: not r.get("MA_THUOC") and not r.get("MA_VAT_TU"),
            "khi không có MA_THUOC và MA_VAT_TU",
            "when there is no MA_THUOC or MA_VAT_TU",
            "error",
        ),
        *(
            (
                f"TEN_{kind}",
                lambda r, code=f"MA_{kind}": bool(r.get(code)),
                f"khi có MA_{kind}",
                f"when MA_{kind} is given",
                "error",
            )
            for kind in ("DICH_VU", "THUOC", "VAT_TU")
        ),
        _INPATIENT_REASON,
    ),
    "XML1": (_INPATIENT_REASON,),
    "XML6": (
        *_required_when("LOAI_DTRI_LAO", _TREATED, ("PHACDO_DTRI_LAO", "NGAYBD_DTRI_LAO")),
        *_required_when(
            "MA_TINH_TRANG_DK",
            ("1",),
            ("LAN_XN_PCR", "NGAY_XN_PCR", "NGAY_KQ_XN_PCR", "MA_KQ_XN_PCR"),
        ),
        *_required_when(
            "MA_XU_TRI",
            ("1",),
            ("NGAY_BAT_DAU_XU_TRI", "NGAY_KET_THUC_XU_TRI", "SO_NGAY_CAP_THUOC_ARV"),
        ),
        *_required_when("MA_PHAC_DO_DIEU_TRI", ("KHAC",), ("MA_BAC_PHAC_DO",)),
    ),
    "XML15": (
        *_required_when("LOAI_DTRI_LAO", _TREATED, ("PHACDO_DTRI_LAO", "NGAYBD_DTRI_LAO")),
        # Not every HIV-positive TB patient has started ARV or CTX yet: a warning.
        *_required_when("PHANLOAI_LAO_HIV", ("1",), ("BDDT_ARV", "NGAY_BAT_DAU_DT_CTX"), "warning"),
    ),
    "XML4": (
        (
            "NGAY_KQ",
            lambda r: bool(r.get("GIA_TRI")),
            "khi có GIA_TRI",
            "when GIA_TRI is given",
            "error",
        ),
    ),
}


def check_conditions(table_id: str, record: Record, where: Where) -> list[Finding]:
    found = []
    for name, applies, when_vi, when_en, severity in CONDITIONAL_REQUIRED.get(table_id, ()):
        if not record.get(name) and applies(record):
            must_vi, must_en = ("bắt buộc ", "required ") if severity == "error" else ("", "")
            found.append(
                where.finding(
                    "REQUIRED",
                    f"Thiếu trường {name}: {must_vi}{when_vi}.",
                    f"Field {name} is missing: {must_en}{when_en}.",
                    field=name,
                    severity=severity,
                )
            )
    return found
