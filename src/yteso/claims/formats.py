"""Formats and code lists of single QĐ 130 fields (STANDARDS.md §1, §2).

A checker takes the text of a field and returns None when it is fine, else
(rule, message_vi, message_en). Which field gets which checker is `FIELD_FORMATS`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from functools import lru_cache

from yteso.core.text import is_digits

# (rule, Vietnamese, English), an error; a fourth element "warning" makes it a warning.
Problem = tuple[str, str, str] | tuple[str, str, str, str]
Checker = Callable[[str], Problem | None]

# The portal's forms (its rules workbook): CCCD (12 digits), CMND (9), a Vietnamese
# passport (a capital and 7 digits). The annex also allows any passport and an e-ID account:
# other capitals and digits with a letter among them are a warning (the portal may refuse
# them); digits alone of another length, or other characters, are an error.
_CCCD = re.compile(r"\d{9}|\d{12}|[A-Z]\d{7}", re.ASCII)
_OTHER_DOCUMENT = re.compile(r"(?=[0-9]*[A-Z])[A-Z0-9]{6,15}", re.ASCII)  # a letter in it
_BHYT = re.compile(r"[A-Z]{2}\d{13}", re.ASCII)
_FACILITY = re.compile(r"\d{5}", re.ASCII)
_MAX_SECONDARY = 12


@lru_cache(maxsize=8192)
def parse_timestamp(value: str) -> datetime | None:
    """yyyymmddHHMM → datetime; None when it is not a real moment.

    Cached: an episode repeats the same few moments on many lines."""
    if len(value) != 12 or not is_digits(value):
        return None
    try:
        return datetime(
            int(value[:4]), int(value[4:6]), int(value[6:8]), int(value[8:10]), int(value[10:])
        )
    except ValueError:
        return None


def parse_date(value: str) -> date | None:
    if len(value) != 8 or not is_digits(value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        return None


def birth_date(value: str) -> date | None:
    """NGAY_SINH's date; None when day or month is unknown (written 00) or it is invalid."""
    return parse_date(value[:8]) if len(value) >= 8 else None


def birth_date_bounds(value: str) -> tuple[date, date] | None:
    """The earliest and latest day NGAY_SINH can stand for: its date, or with the 00
    convention its month or year; None when it is invalid."""
    exact = birth_date(value)
    if exact is not None:
        return exact, exact
    year, month = value[:4], value[4:6]
    if len(value) < 8 or not is_digits(value[:8]) or value[6:8] != "00" or year == "0000":
        return None
    if month == "00":
        return date(int(year), 1, 1), date(int(year), 12, 31)
    if not 1 <= int(month) <= 12:
        return None
    first = date(int(year), int(month), 1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - timedelta(days=1)


def _timestamp(value: str) -> Problem | None:
    if parse_timestamp(value) is None:
        return (
            "DATETIME_FORMAT",
            f"'{value}' không đúng định dạng yyyymmddHHMM.",
            f"'{value}' is not a yyyymmddHHMM timestamp.",
        )
    return None


def _date(value: str) -> Problem | None:
    if parse_date(value) is None:
        return (
            "DATE_FORMAT",
            f"'{value}' không đúng định dạng yyyymmdd.",
            f"'{value}' is not a yyyymmdd date.",
        )
    return None


def _date_list(value: str) -> Problem | None:
    for part in value.split(";"):
        problem = _date(part.strip())
        if problem is not None:
            return problem
    return None


def _birth_day(value: str) -> Problem | None:
    """yyyymmdd where an unknown day (or day and month) is written 00 (XML9, XML12)."""
    if len(value) == 8 and birth_date_bounds(value) is not None:
        return None
    return (
        "DATE_FORMAT",
        f"Ngày sinh '{value}' phải có dạng yyyymmdd (ngày, tháng không rõ ghi 00).",
        f"Birth date '{value}' must be yyyymmdd (unknown day and month as 00).",
    )


def _birth(value: str) -> Problem | None:
    """yyyymmddHHMM where unknown day and month are written 0000 (or an unknown day 00)."""
    if len(value) != 12 or not is_digits(value):
        ok = False
    elif parse_timestamp(value) is not None:
        ok = True
    else:
        unknown = value[4:8] == "0000" or (value[6:8] == "00" and 1 <= int(value[4:6]) <= 12)
        ok = unknown and int(value[8:10]) < 24 and int(value[10:12]) < 60
    if not ok:
        return (
            "DATETIME_FORMAT",
            f"Ngày sinh '{value}' phải có dạng yyyymmddHHMM (ngày, tháng không rõ ghi 0000).",
            f"Birth date '{value}' must be yyyymmddHHMM (unknown day and month as 0000).",
        )
    return None


def code_list(name: str, allowed: tuple[str, ...]) -> Checker:
    allowed_set = frozenset(allowed)

    def check(value: str) -> Problem | None:
        if value in allowed_set:
            return None
        listed = ", ".join(allowed)
        return (
            "CODE_LIST",
            f"{name} = '{value}' không có trong bộ mã ({listed}).",
            f"{name} = '{value}' is not in the code list ({listed}).",
        )

    return check


def _percent(value: str) -> Problem | None:
    if is_digits(value) and 0 <= int(value) <= 100:
        return None
    return (
        "CODE_LIST",
        f"Tỷ lệ '{value}' phải là số nguyên từ 0 đến 100.",
        f"Rate '{value}' must be a whole number from 0 to 100.",
    )


def _cccd(value: str) -> Problem | None:
    if _CCCD.fullmatch(value):
        return None
    if _OTHER_DOCUMENT.fullmatch(value):
        return (
            "CCCD_FORMAT",
            f"SO_CCCD '{value}' không phải CCCD (12 chữ số), CMND (9 chữ số) hay hộ chiếu Việt"
            " Nam (1 chữ in hoa + 7 chữ số): cổng giám định có thể từ chối; kiểm tra lại nếu"
            " đây không phải hộ chiếu nước ngoài hay mã định danh điện tử.",
            f"SO_CCCD '{value}' is not a CCCD (12 digits), CMND (9 digits) or Vietnamese"
            " passport (a capital + 7 digits): the portal may refuse it; check it unless it is"
            " a foreign passport or an e-ID account.",
            "warning",
        )
    return (
        "CCCD_FORMAT",
        f"SO_CCCD '{value}' phải gồm 12 (CCCD) hoặc 9 (CMND) chữ số, hoặc là số hộ chiếu,"
        " mã định danh điện tử (6–15 chữ in hoa và chữ số).",
        f"SO_CCCD '{value}' must be 12 (CCCD) or 9 (CMND) digits, or a passport or e-ID"
        " account number (6–15 capitals and digits).",
    )


def _bhyt(value: str) -> Problem | None:
    for card in value.split(";"):
        if not _BHYT.fullmatch(card.strip()):
            return (
                "BHYT_FORMAT",
                f"Mã thẻ BHYT '{card}' phải gồm 15 ký tự: 2 chữ in hoa và 13 chữ số.",
                f"BHYT card '{card}' must be 15 characters: 2 capitals and 13 digits.",
            )
    return None


def _facility(value: str) -> Problem | None:
    for code in value.split(";"):
        if not _FACILITY.fullmatch(code.strip()):
            return (
                "FACILITY_CODE_FORMAT",
                f"Mã cơ sở KCB '{code}' phải gồm 5 chữ số.",
                f"Facility code '{code}' must be 5 digits.",
            )
    return None


def _one(value: str) -> Problem | None:
    if value == "1":
        return None
    return (
        "CODE_LIST",
        f"Giá trị '{value}' chỉ được để trống hoặc bằng 1.",
        f"Value '{value}' must be empty or 1.",
    )


def secondary_codes(value: str) -> list[str]:
    """MA_BENH_KT / MA_BENH: ';'-separated codes, blanks dropped."""
    return [c.strip() for c in value.split(";") if c.strip()]


def _secondary(value: str) -> Problem | None:
    count = len(secondary_codes(value))
    if count <= _MAX_SECONDARY:
        return None
    return (
        "ICD_TOO_MANY_SECONDARY",
        f"MA_BENH_KT có {count} mã; tối đa {_MAX_SECONDARY} mã bệnh kèm theo.",
        f"MA_BENH_KT holds {count} codes; at most {_MAX_SECONDARY} secondary codes.",
    )


_TIMESTAMPS = (
    "NGAY_VAO",
    "NGAY_VAO_NOI_TRU",
    "NGAY_RA",
    "NGAY_TTOAN",
    "NGAY_YL",
    "NGAY_TH_YL",
    "NGAY_KQ",
    "THOI_DIEM_DBLS",
    "THOIGIAN_DINHCHI",
)
_DATES = ("NGAY_CT", "NGAY_SINHCON", "NGAY_CONCHET", "NGOAITRU_TUNGAY", "NGOAITRU_DENNGAY")


_NAMES_TIMESTAMP = re.compile(r"yyyymmddhhmm", re.IGNORECASE)
_NAMES_DATE = re.compile(r"yyyymmdd(?!hh)", re.IGNORECASE)


def checker(name: str, max_size: int | None, described: str = "") -> Checker | None:
    """The format check of a field: FIELD_FORMATS; else the format the annex's description
    names (yyyymmddHHMM or yyyymmdd, not both: NGAY_MIEN_CCT may be either). A birth date of
    8 characters is yyyymmdd with the 00 of an unknown day (XML9, XML12)."""
    if name in ("NGAY_SINH", "NGAYSINH_NND") and max_size == 8:
        return _birth_day
    if name in FIELD_FORMATS:
        return FIELD_FORMATS[name]
    timestamp, day = _NAMES_TIMESTAMP.search(described), _NAMES_DATE.search(described)
    if timestamp and not day:
        return _timestamp
    return _date if day and not timestamp else None


FIELD_FORMATS: dict[str, Checker] = {
    **{name: _timestamp for name in _TIMESTAMPS},
    **{name: _date for name in _DATES},
    "GT_THE_TU": _date_list,
    "GT_THE_DEN": _date_list,
    "NGAY_TAI_KHAM": _date_list,
    "NGAY_SINH": _birth,
    "GIOI_TINH": code_list("GIOI_TINH", ("1", "2", "3")),
    "MA_LOAI_KCB": code_list("MA_LOAI_KCB", tuple(f"{n:02d}" for n in range(1, 11))),
    "KET_QUA_DTRI": code_list("KET_QUA_DTRI", tuple(str(n) for n in range(1, 9))),
    "MA_LOAI_RV": code_list("MA_LOAI_RV", ("1", "2", "3", "4", "5")),
    "PHAM_VI": code_list("PHAM_VI", ("1", "2", "3")),
    "MA_PTTT": code_list("MA_PTTT", ("1", "2", "3")),
    "MA_KHUVUC": code_list("MA_KHUVUC", ("K1", "K2", "K3")),
    "MA_LYDO_CT": code_list("MA_LYDO_CT", ("1", "2", "3")),
    "MA_DINH_CHI_THAI": code_list("MA_DINH_CHI_THAI", ("0", "1")),
    "MUC_HUONG": _percent,
    "TYLE_TT_BH": _percent,
    "TYLE_TT_DV": _percent,
    "VET_THUONG_TP": _one,
    "TAI_SU_DUNG": _one,
    "SO_CCCD": _cccd,
    "MA_THE_BHYT": _bhyt,
    "MA_CSKCB": _facility,
    "MA_NOI_DI": _facility,
    "MA_NOI_DEN": _facility,
    "MA_DKBD": _facility,
    "MA_BENH_KT": _secondary,
}
