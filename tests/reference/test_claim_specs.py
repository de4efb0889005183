"""QĐ 130/4750 claim table specifications from package data."""

from __future__ import annotations

import pytest

from yteso.reference import claim_specs

# Fields per table in the QĐ 4750 annex (XML1 and XML2 include NHOM_MAU and NGAY_TH_YL,
# which the annex inserts without an STT).
FIELD_COUNTS = {
    "XML0": 26, "XML1": 66, "XML2": 39, "XML3": 47, "XML4": 12, "XML5": 9, "XML6": 47,
    "XML7": 26, "XML8": 22, "XML9": 35, "XML10": 13, "XML11": 23, "XML12": 35, "XML13": 39,
    "XML14": 22, "XML15": 20,
}  # fmt: skip


def test_every_table_present_in_order() -> None:
    assert [t.id for t in claim_specs.tables()] == [f"XML{n}" for n in range(16)]
    assert [t.number for t in claim_specs.tables()] == list(range(16))


def test_field_counts_match_the_annex() -> None:
    assert {t.id: len(t.fields) for t in claim_specs.tables()} == FIELD_COUNTS


def test_orders_count_from_one_and_names_are_unique() -> None:
    for t in claim_specs.tables():
        assert [f.order for f in t.fields] == list(range(1, len(t.fields) + 1))
        assert len(set(t.field_names)) == len(t.fields)
        assert {f.type for f in t.fields} <= {"string", "number"}


def test_xml1_field_order() -> None:
    names = claim_specs.table("XML1").field_names
    assert names[:9] == (
        "MA_LK", "STT", "MA_BN", "HO_TEN", "SO_CCCD", "NGAY_SINH", "GIOI_TINH", "NHOM_MAU",
        "MA_QUOCTICH",
    )  # fmt: skip
    assert names[-1] == "DU_PHONG"
    nhom_mau = claim_specs.table("XML1").field("NHOM_MAU")
    assert (nhom_mau.order, nhom_mau.stt, nhom_mau.description) == (8, None, None)
    assert claim_specs.table("XML1").field("MA_QUOCTICH").stt == 8


def test_inserted_field_without_stt_keeps_its_place() -> None:
    names = claim_specs.table("XML2").field_names
    assert names[names.index("NGAY_YL") + 1] == "NGAY_TH_YL"
    assert claim_specs.table("XML2").field("NGAY_TH_YL").stt is None


def test_required_flags() -> None:
    xml1 = claim_specs.table("XML1")
    assert xml1.field("MA_LK").required is True
    assert xml1.field("MA_BENH_CHINH").required is True
    assert xml1.field("STT").required is False
    assert xml1.field("MA_BENH_KT").required is False
    for t in claim_specs.tables():
        assert t.fields[0].required is True, t.id  # MA_LK, or NGUOI_CHU_TRI in XML12
        assert all(f.required is not None for f in t.fields), t.id


def test_conditional_requirement_is_kept_as_note() -> None:
    field = claim_specs.table("XML3").field("MA_XANG_DAU")
    assert field.required is False
    assert field.required_note == "Bắt buộc khi MA_NHOM = 12"


def test_validation_note() -> None:
    assert claim_specs.table("XML0").field("NGAY_VAO_NOI_TRU").valid == ">= NGAY_VAO"


def test_known_max_sizes() -> None:
    xml1 = claim_specs.table("XML1")
    assert xml1.field("MA_CSKCB").max_size == 5
    assert xml1.field("MA_LK").max_size == 100
    assert xml1.field("MA_BENH_CHINH").max_size == 7
    assert xml1.field("CHAN_DOAN_RV").max_size is None  # "n"
    assert claim_specs.table("XML0").field("MA_DKBD").max_size == 5  # written "5" as text


def test_type_correction_of_4750_is_effective() -> None:
    cccd = claim_specs.table("XML1").field("SO_CCCD")
    assert (cccd.type_qd130, cccd.type, cccd.type_changed) == ("number", "string", True)
    assert cccd.note_4750 == "Đổi kiểu dữ liệu thành chuỗi"
    stt = claim_specs.table("XML1").field("STT")
    assert (stt.type, stt.type_changed) == ("number", False)


def test_size_correction_of_4750_is_effective() -> None:
    doi_tuong = claim_specs.table("XML0").field("MA_DOITUONG_KCB")
    assert (doi_tuong.type_qd130, doi_tuong.type) == ("number", "string")
    assert (doi_tuong.size_qd130, doi_tuong.max_size) == (1, 4)
    assert claim_specs.table("XML2").field("MA_KHOA").max_size == 50
    tt_thau = claim_specs.table("XML3").field("TT_THAU")
    assert (tt_thau.size_qd130, tt_thau.max_size) == (25, 50)


def test_xml_layout() -> None:
    xml2 = claim_specs.table("XML2")
    assert (xml2.xml_root, xml2.xml_list, xml2.xml_record) == (
        "CHITIEU_CHITIET_THUOC", "DSACH_CHI_TIET_THUOC", "CHI_TIET_THUOC",
    )  # fmt: skip
    xml1 = claim_specs.table("XML1")
    assert (xml1.xml_root, xml1.xml_list, xml1.xml_layout_known) == ("TONG_HOP", None, True)
    xml6 = claim_specs.table("XML6")
    assert xml6.xml_root == "CHI_TIEU_HO_SO_BENH_AN_CHAM_SOC_VA_DIEU_TRI_HIV_AIDS"
    assert (xml6.xml_list, xml6.xml_record, xml6.xml_layout_known) == (None, None, False)


def test_xml12_is_entered_on_the_portal() -> None:
    xml12 = claim_specs.table("XML12")
    assert (xml12.sent_by_his, xml12.xml_root) == (False, None)
    assert xml12.fields[0].name == "NGUOI_CHU_TRI"
    assert [t.id for t in claim_specs.tables() if not t.sent_by_his] == ["XML12"]


def test_titles_sheets_and_notes() -> None:
    xml1 = claim_specs.table("XML1")
    assert xml1.title == "Bảng 1. Chỉ tiêu tổng hợp khám bệnh, chữa bệnh"
    assert claim_specs.table("XML7").sheet == " Bang 7_Giay ra vien"
    xml14 = claim_specs.table("XML14")
    assert xml14.notes is not None and "hẹn khám lại" in xml14.notes


def test_lookup_errors_are_clear() -> None:
    assert claim_specs.table(" xml1 ") is claim_specs.table("XML1")
    with pytest.raises(KeyError, match="XML16"):
        claim_specs.table("XML16")
    with pytest.raises(KeyError, match="NOPE"):
        claim_specs.table("XML1").field("NOPE")
