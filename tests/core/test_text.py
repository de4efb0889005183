from __future__ import annotations

from yteso.core.text import fold, is_digits, nfc


def test_fold_removes_vietnamese_diacritics_and_d_stroke() -> None:
    assert fold("  Nguyễn   Văn Đức ") == "nguyen van duc"
    assert fold("TRẠM Y TẾ XÃ ĐẠI TỪ") == "tram y te xa dai tu"
    assert fold("Ðinh Thị Ðào") == "dinh thi dao"  # look-alike eth from legacy encodings


def test_nfc_composes_decomposed_input() -> None:
    decomposed = "Nguye\u0302\u0303n"
    assert nfc(decomposed) == "Nguyễn" and len(nfc(decomposed)) == 6


def test_is_digits_takes_only_0_to_9() -> None:
    assert is_digits("0123456789")
    assert not any(is_digits(t) for t in ("", "²", "１２", "٠١", "12a", " 12", "-1"))
