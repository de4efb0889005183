"""Who is at the kiosk: reading what was scanned or typed, and what the screen may show.

Pure (no database). Messages are the ones the patient reads, in Vietnamese.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from yteso.core.errors import FieldProblem, ValidationFailed
from yteso.core.text import nfc
from yteso.patients import (
    CccdQr,
    Identifier,
    IdentifierKind,
    InvalidIdentifier,
    PersonOut,
    cccd_birth_year_and_sex,
    parse_bhyt,
    parse_cccd_qr,
)
from yteso.registration.schemas import IdentifyIn

_CCCD = re.compile(r"\d{12}", re.ASCII)
CHILD_AGE = 6  # under 6: priority (Luật Khám bệnh, chữa bệnh 2023, Điều 16)
ELDERLY_AGE = 75  # 75 and over: priority (same article)


@dataclass(frozen=True)
class Presented:
    """What the patient presented: a scanned chip-card QR, or one typed number."""

    identifier: Identifier
    qr: CccdQr | None = None


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, [FieldProblem(field, message)])


def _typed_cccd(text: str) -> str:
    value = "".join(text.split())
    if not _CCCD.fullmatch(value) or int(value[3]) > 5:
        raise _refuse("cccd", "Số CCCD phải gồm đúng 12 chữ số. Vui lòng kiểm tra và nhập lại.")
    return value


def check_cccd_agrees(cccd: str, birth_year: int, sex: int | None, field: str) -> None:
    """Refuse a CCCD whose digits contradict the stated birth year or sex."""
    year, coded_sex = cccd_birth_year_and_sex(cccd)
    if year != birth_year:
        raise _refuse(
            field,
            f"Số CCCD cho biết năm sinh {year}, không khớp với năm sinh {birth_year}. "
            "Vui lòng kiểm tra lại hoặc đến quầy tiếp đón.",
        )
    if sex in (1, 2) and sex != coded_sex:
        raise _refuse(
            field,
            "Số CCCD không khớp với giới tính đã khai. Vui lòng kiểm tra lại "
            "hoặc đến quầy tiếp đón.",
        )


def presented(data: IdentifyIn) -> Presented:
    given = [(k, v.strip()) for k, v in (("qr", data.qr), ("cccd", data.cccd),
                                         ("bhyt", data.bhyt)) if v and v.strip()]  # fmt: skip
    if len(given) != 1:
        raise _refuse("qr", "Vui lòng quét mã QR trên CCCD hoặc nhập một số CCCD / mã thẻ BHYT.")
    kind, text = given[0]
    if kind == "qr":
        try:
            qr = parse_cccd_qr(text)
        except InvalidIdentifier as error:
            raise _refuse(
                "qr",
                f"Không đọc được mã QR ({error.message}). Vui lòng quét lại "
                "hoặc nhập số CCCD bằng bàn phím.",
            ) from None
        check_cccd_agrees(qr.cccd.value, qr.birth_date.year, qr.sex, "qr")
        return Presented(Identifier(kind=IdentifierKind.NATIONAL_ID, value=qr.cccd.value), qr)
    if kind == "cccd":
        return Presented(Identifier(kind=IdentifierKind.NATIONAL_ID, value=_typed_cccd(text)))
    try:
        card = parse_bhyt(text)
    except InvalidIdentifier as error:
        raise _refuse("bhyt", f"Mã thẻ BHYT không đúng: {error.message}.") from None
    return Presented(Identifier(kind=IdentifierKind.INSURANCE_NUMBER, value=card.value))


def masked_name(full_name: str) -> str:
    """ "Nguyễn Văn An" → "Nguyễn V*** A*": enough to recognise oneself, not to read out."""
    parts = nfc(full_name).split()
    if len(parts) < 2:
        return (parts[0][:1] + "***") if parts else ""
    middle = [p[:1] + "***" for p in parts[1:-1]]
    return " ".join([parts[0], *middle, parts[-1][:1] + "*"])


def masked_card(card: str | None) -> str | None:
    if not card:
        return None
    return card[:5] + "•" * (len(card) - 9) + card[-4:]


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def automatic_priority(person: PersonOut, day: date) -> str:
    """Priority the birth date alone gives; pregnancy and disability are declared by a tap."""
    if person.birth_date is None:
        return "none"
    age = age_on(person.birth_date, day)
    if age < CHILD_AGE:
        return "child"
    return "elderly" if age >= ELDERLY_AGE else "none"


def split_name(full_name: str) -> tuple[str, str, str]:
    """Family, middle and given name of a Vietnamese full name (family name first)."""
    parts = nfc(full_name).split()
    if len(parts) == 1:
        return parts[0], "", parts[0]
    return parts[0], " ".join(parts[1:-1]), parts[-1]


def identifier_of(person: PersonOut, kind: IdentifierKind) -> str | None:
    values = [i.value for i in person.identifiers if i.kind == kind]
    return values[-1] if values else None
