from __future__ import annotations

import unicodedata

from yteso.patients.names import (
    distinctive_middle,
    family_name_share,
    normalise_name,
    spelling_key,
    split_name,
    within_one_edit,
)


def test_names_are_nfc_single_spaced_and_capitalised() -> None:
    decomposed = unicodedata.normalize("NFD", "nguyễn  THỊ   thu hà ")
    assert normalise_name(decomposed) == "Nguyễn Thị Thu Hà"
    assert normalise_name(decomposed) == unicodedata.normalize("NFC", "Nguyễn Thị Thu Hà")


def test_split_into_family_middle_given() -> None:
    name = split_name("Nguyễn Thị Thu Hà")
    assert (name.family, name.middle, name.given) == ("Nguyễn", "Thị Thu", "Hà")
    assert split_name("Đặng Hà").middle == ""
    assert split_name("Hà").family == "" and split_name("").full == ""


def test_spelling_variants_share_a_key() -> None:
    assert spelling_key("Giang") == spelling_key("Dang") == spelling_key("Rang")
    assert spelling_key("Vy") == spelling_key("Vi")
    assert spelling_key("Phương") == spelling_key("Fuong")
    assert spelling_key("Trung") == spelling_key("Chung")
    assert spelling_key("Nghĩa") == spelling_key("Ngia")
    assert spelling_key("Hà") != spelling_key("Hải")


def test_thi_and_van_are_not_distinctive() -> None:
    assert distinctive_middle("Thị Thu") == ("thu",)
    assert distinctive_middle("Văn") == ()


def test_common_family_names_weigh_less_than_rare_ones() -> None:
    assert family_name_share("nguyen") > 0.3
    assert family_name_share("khong") < family_name_share("tran")


def test_one_edit_apart() -> None:
    assert within_one_edit("hoa", "hoa")
    assert within_one_edit("hoa", "hao")  # swap
    assert within_one_edit("hoa", "ho")
    assert within_one_edit("hoa", "hora")
    assert within_one_edit("hoa", "hoe")
    assert not within_one_edit("hoa", "ahoe")
    assert not within_one_edit("hoang", "huong")
