from __future__ import annotations

from datetime import date

import pytest

from yteso.patients.birth_dates import BirthDate, parse_ddmmyyyy, parse_partial_iso, parse_qd130
from yteso.patients.identifiers import (
    InvalidIdentifier,
    cccd_warnings,
    parse_bhyt,
    parse_cccd,
    parse_cccd_qr,
    parse_cmnd,
    parse_passport,
)


def test_cccd_carries_province_sex_and_birth_year() -> None:
    cccd = parse_cccd(" 0191 9000 1234 ")
    assert (cccd.value, cccd.province_code, cccd.sex, cccd.birth_year) == (
        "019190001234",
        19,
        2,
        1990,
    )
    assert parse_cccd("006205123456").birth_year == 2005
    assert parse_cccd("006205123456").sex == 1
    assert parse_cccd("001400000001").birth_year == 2100


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("01919000123", "12 chữ số"),
        ("01919000123A", "12 chữ số"),
        ("003190001234", "mã tỉnh 003"),
        ("019690001234", "thế kỷ/giới tính 6"),
    ],
)
def test_malformed_cccd_is_refused_naming_the_field(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_cccd(text, field="SO_CCCD")
    assert caught.value.field == "SO_CCCD"
    assert message in caught.value.message


def test_cccd_disagreeing_with_stated_birth_year_or_sex_gives_warnings() -> None:
    cccd = parse_cccd("019190001234")
    assert cccd_warnings(cccd, 1990, 2) == []
    assert cccd_warnings(cccd, None, None) == []
    warnings = cccd_warnings(cccd, 1991, 1)
    assert len(warnings) == 2 and "1990" in warnings[0]


def test_cmnd_and_passport() -> None:
    assert parse_cmnd("090 123 456") == "090123456"
    assert parse_passport("c1234567") == "C1234567"
    with pytest.raises(InvalidIdentifier):
        parse_cmnd("0901234567")
    with pytest.raises(InvalidIdentifier):
        parse_passport("CC123456")


def test_bhyt_card_parts_and_social_insurance_number() -> None:
    card = parse_bhyt("gd4191234567890")
    assert (card.group, card.benefit_digit, card.province_code) == ("GD", 4, 19)
    assert card.social_insurance_number == "1234567890"
    assert parse_bhyt("QN5971234567890").province_code == 97


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("GD419123456789", "2 chữ cái"),
        ("ZZ4191234567890", "ZZ"),
        ("GD1191234567890", "mức hưởng 1"),
        ("GD4031234567890", "mã tỉnh 03"),
    ],
)
def test_malformed_bhyt_is_refused(text: str, message: str) -> None:
    with pytest.raises(InvalidIdentifier) as caught:
        parse_bhyt(text)
    assert message in caught.value.message


def test_cccd_qr_from_kiosk_scanner() -> None:
    qr = parse_cccd_qr(
        "019190001234|090123456|Nguyễn Thị Thu Hà|17051990|Nữ|Tổ 5, Phan Đình Phùng|01022021"
    )
    assert qr.cccd.value == "019190001234" and qr.old_id == "090123456"
    assert qr.birth_date == BirthDate(1990, 5, 17) and qr.sex == 2
    assert qr.issue_date == date(2021, 2, 1)
    assert parse_cccd_qr("019190001234||Lò Văn A|00001990|Nam|Bản Mạ|").birth_date == BirthDate(
        1990
    )


@pytest.mark.parametrize(
    "text",
    [
        "019190001234|Nguyễn Hà|17051990|Nữ|x|01022021",
        "019190001234||Nguyễn Hà|17051990|Khác|x|01022021",
        "019190001234||Nguyễn Hà|32051990|Nữ|x|01022021",
        "01919000123||Nguyễn Hà|17051990|Nữ|x|01022021",
    ],
)
def test_bad_qr_is_refused(text: str) -> None:
    with pytest.raises(InvalidIdentifier):
        parse_cccd_qr(text)


def test_partial_birth_dates() -> None:
    assert parse_partial_iso("1985") == BirthDate(1985)
    assert parse_partial_iso("1985-04").precision == "month"
    assert parse_partial_iso("1985-04-17").as_date() == date(1985, 4, 17)
    assert parse_qd130("19850000") == BirthDate(1985)
    assert parse_qd130("19850400") == BirthDate(1985, 4)
    assert parse_qd130("198504171230") == BirthDate(1985, 4, 17)
    assert parse_ddmmyyyy("00041985") == BirthDate(1985, 4)
    assert BirthDate.from_stored(date(1985, 1, 1), "year") == BirthDate(1985)
    assert BirthDate(1985, 4).iso() == "1985-04"
    for bad in ("85", "1985-13", "1985-02-30", "abcd", "1800"):
        with pytest.raises(ValueError):
            parse_partial_iso(bad)
