"""Birth dates that may be known only to the month or the year.

QĐ 130 writes an unknown day and month as "0000" (`19850000`); CSV files and forms give
"1985", "1985-04" or "1985-04-17". Stored dates keep the missing parts as 1 and a precision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from yteso.core.text import is_digits

_EARLIEST_YEAR = 1880


@dataclass(frozen=True, slots=True)
class BirthDate:
    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not _EARLIEST_YEAR <= self.year <= 2199:
            raise ValueError(f"năm sinh {self.year} ngoài khoảng cho phép")
        if self.day is not None and self.month is None:
            raise ValueError("có ngày sinh mà thiếu tháng sinh")
        if self.month is not None:
            # date() checks the month and the day against the calendar.
            date(self.year, self.month, self.day or 1)

    @property
    def precision(self) -> str:
        """As stored in Person.birth_date_precision: "day", "month" or "year"."""
        if self.day is not None:
            return "day"
        return "month" if self.month is not None else "year"

    def as_date(self) -> date:
        return date(self.year, self.month or 1, self.day or 1)

    def iso(self) -> str:
        parts = [f"{self.year:04d}", f"{self.month:02d}" if self.month else "", ""]
        if self.day:
            parts[2] = f"{self.day:02d}"
        return "-".join(p for p in parts if p)

    @classmethod
    def from_stored(cls, value: date, precision: str) -> BirthDate:
        if precision == "year":
            return cls(value.year)
        if precision == "month":
            return cls(value.year, value.month)
        return cls(value.year, value.month, value.day)


def _number(text: str, what: str) -> int:
    if not is_digits(text):
        raise ValueError(f"{what} '{text}' không phải là số")
    return int(text)


def parse_partial_iso(text: str) -> BirthDate:
    """ "YYYY-MM-DD", "YYYY-MM" or "YYYY"."""
    parts = text.strip().split("-")
    if len(parts) > 3 or len(parts[0]) != 4:
        raise ValueError(f"ngày sinh '{text}' phải ghi YYYY-MM-DD, YYYY-MM hoặc YYYY")
    numbers = [_number(p, "ngày sinh") for p in parts]
    return BirthDate(*numbers)


def parse_qd130(text: str) -> BirthDate:
    """QĐ 130 `yyyymmdd` (or `yyyymmddHHMM`), with `0000` for an unknown day and month."""
    text = text.strip()
    if len(text) not in (8, 12):
        raise ValueError(f"ngày sinh '{text}' phải ghi yyyymmdd")
    year, month, day = (_number(p, "ngày sinh") for p in (text[:4], text[4:6], text[6:8]))
    return BirthDate(year, month or None, day or None if month else None)


def parse_ddmmyyyy(text: str) -> BirthDate:
    """`ddmmyyyy` as in the CCCD QR code; `00` for an unknown day or month."""
    text = text.strip()
    if len(text) == 4:
        return BirthDate(_number(text, "năm"))
    if len(text) != 8:
        raise ValueError(f"ngày '{text}' phải ghi ddmmyyyy")
    day, month, year = (_number(p, "ngày") for p in (text[:2], text[2:4], text[4:]))
    return BirthDate(year, month or None, day or None if month else None)
