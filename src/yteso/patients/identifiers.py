"""Vietnamese personal identifiers, parsed and checked without a database (STANDARDS §2).

Each parser returns the parsed identifier or raises `InvalidIdentifier` naming the field and
what is wrong, in Vietnamese. A malformed identifier is never used for an exact match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from yteso.patients.birth_dates import BirthDate, parse_ddmmyyyy
from yteso.reference.admin_units import FORMER_PROVINCES

# BHYT beneficiary group codes (QĐ 1351/QĐ-BHXH and amendments) with the benefit digits each
# may carry. A code outside this list is refused; the benefit digit is checked against it.
BHYT_GROUPS: dict[str, frozenset[int]] = {
    **{g: frozenset({1}) for g in ("CC", "TE")},
    **{g: frozenset({2}) for g in ("CK", "CB", "KC", "HN", "DT", "DK", "XD", "BT", "TS")},
    **{g: frozenset({3}) for g in ("HT", "TC", "CN")},
    **{
        g: frozenset({4})
        for g in (
            "DN", "HX", "CH", "NN", "TK", "HC", "XK", "TB", "NO", "XB", "XN", "TN", "CS",
            "XV", "HS", "SV", "GB", "GD", "HD", "TQ", "TA", "TY", "HG", "LS", "PV", "MS",
        )
    },
    **{g: frozenset({5}) for g in ("QN", "CA", "CY")},
}  # fmt: skip
# Cards of the armed forces' own insurance funds carry 97 (defence) or 98 (police).
_BHYT_EXTRA_PROVINCES = frozenset({97, 98})

_DIGITS = re.compile(r"\d+", re.ASCII)
_PASSPORT = re.compile(r"[A-Z]\d{7}", re.ASCII)
_BHYT = re.compile(r"([A-Z]{2})(\d)(\d{2})(\d{10})", re.ASCII)


class InvalidIdentifier(ValueError):
    """An identifier that cannot be right; `field` names the input field."""

    def __init__(self, field: str, message: str, value: str = "") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.value = value


@dataclass(frozen=True, slots=True)
class Cccd:
    value: str  # 12 digits
    province_code: int  # province where the birth was registered (pre-2025 code)
    sex: int  # 1 male, 2 female
    birth_year: int


@dataclass(frozen=True, slots=True)
class BhytCard:
    value: str  # 15 characters
    group: str
    benefit_digit: int
    province_code: int
    # The person's social insurance number: the part that survives card renewals.
    social_insurance_number: str


@dataclass(frozen=True, slots=True)
class CccdQr:
    """What a kiosk scanner reads from the QR code on a chip CCCD card."""

    cccd: Cccd
    old_id: str | None
    full_name: str
    birth_date: BirthDate
    sex: int
    address: str
    issue_date: date | None


def _compact(text: str) -> str:
    return "".join(text.split()).upper()


def parse_cccd(text: str, field: str = "cccd") -> Cccd:
    value = _compact(text)
    if len(value) != 12 or not _DIGITS.fullmatch(value):
        raise InvalidIdentifier(field, "số CCCD phải gồm đúng 12 chữ số", text)
    province = int(value[:3])
    if province not in FORMER_PROVINCES:
        raise InvalidIdentifier(field, f"mã tỉnh {value[:3]} không tồn tại", text)
    century_sex = int(value[3])
    if century_sex > 5:
        raise InvalidIdentifier(field, f"chữ số thế kỷ/giới tính {century_sex} không hợp lệ", text)
    year, sex = cccd_birth_year_and_sex(value)
    return Cccd(value, province, sex, year)


def cccd_birth_year_and_sex(value: str) -> tuple[int, int]:
    """Birth year and sex (1 male, 2 female) that digits 4–6 of a 12-digit CCCD encode: the
    century+sex digit 0/1 = 1900s male/female, 2/3 = 2000s, 4/5 = 2100s (STANDARDS §2)."""
    century_sex = int(value[3])
    return 1900 + 100 * (century_sex // 2) + int(value[4:6]), 1 + century_sex % 2


def cccd_warnings(cccd: Cccd, birth_year: int | None, sex: int | None) -> list[str]:
    """Disagreements between the number and the stated birth year and sex.

    Either the number or the stated facts were mistyped; matching treats such a number as
    unconfirmed instead of trusting it for an exact link.
    """
    warnings = []
    if birth_year is not None and birth_year != cccd.birth_year:
        warnings.append(f"CCCD ghi năm sinh {cccd.birth_year}, hồ sơ ghi {birth_year}")
    if sex in (1, 2) and sex != cccd.sex:
        stated = "nam" if sex == 1 else "nữ"
        warnings.append(f"CCCD ghi giới tính khác với hồ sơ ({stated})")
    return warnings


def parse_cmnd(text: str, field: str = "cmnd") -> str:
    value = _compact(text)
    if len(value) != 9 or not _DIGITS.fullmatch(value):
        raise InvalidIdentifier(field, "số CMND phải gồm đúng 9 chữ số", text)
    return value


def parse_passport(text: str, field: str = "passport") -> str:
    value = _compact(text)
    if not _PASSPORT.fullmatch(value):
        raise InvalidIdentifier(field, "số hộ chiếu gồm 1 chữ cái in hoa và 7 chữ số", text)
    return value


def parse_bhyt(text: str, field: str = "bhyt") -> BhytCard:
    value = _compact(text)
    found = _BHYT.fullmatch(value)
    if found is None:
        raise InvalidIdentifier(
            field, "mã thẻ BHYT gồm 2 chữ cái, 1 chữ số quyền lợi, 2 số tỉnh và 10 số BHXH", text
        )
    group, digit, province, number = found.groups()
    if group not in BHYT_GROUPS:
        raise InvalidIdentifier(field, f"mã đối tượng {group} không có trong danh mục", text)
    if int(digit) not in BHYT_GROUPS[group]:
        raise InvalidIdentifier(field, f"mức hưởng {digit} không dùng cho đối tượng {group}", text)
    if int(province) not in FORMER_PROVINCES and int(province) not in _BHYT_EXTRA_PROVINCES:
        raise InvalidIdentifier(field, f"mã tỉnh {province} không tồn tại", text)
    return BhytCard(value, group, int(digit), int(province), number)


def parse_cccd_qr(text: str, field: str = "qr") -> CccdQr:
    """`id|old id|name|ddmmyyyy|Nam/Nữ|address|ddmmyyyy` as printed by the chip card QR."""
    parts = text.strip().split("|")
    if len(parts) != 7:
        raise InvalidIdentifier(field, "mã QR CCCD phải có 7 phần ngăn bởi dấu |", text)
    number, old_id, name, born, sex_text, address, issued = (p.strip() for p in parts)
    sex = {"nam": 1, "nữ": 2, "nu": 2}.get(sex_text.lower())
    if sex is None:
        raise InvalidIdentifier(field, f"giới tính '{sex_text}' phải là Nam hoặc Nữ", text)
    if not name:
        raise InvalidIdentifier(field, "thiếu họ tên", text)
    try:
        birth = parse_ddmmyyyy(born)
        issue = parse_ddmmyyyy(issued).as_date() if issued else None
    except ValueError as error:
        raise InvalidIdentifier(field, f"ngày không hợp lệ: {error}", text) from None
    return CccdQr(
        cccd=parse_cccd(number, field),
        old_id=parse_cmnd(old_id, field) if old_id else None,
        full_name=name,
        birth_date=birth,
        sex=sex,
        address=address,
        issue_date=issue,
    )
