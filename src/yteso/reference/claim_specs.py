"""Claim table specifications: QĐ 130/QĐ-BYT as amended by QĐ 4750/QĐ-BYT.

One `ClaimTable` per table of the annex: XML0 (check-in) and XML1 … XML15, with their fields
in the order the XML writes them. Each field keeps the QĐ 130 type and maximum size and the
effective ones after the 4750 corrections ("Đổi kiểu dữ liệu thành chuỗi", "Tăng kích thước
tối đa lên 50 ký tự"). The required flag and the VALID note come from the validation-rules
workbook, a HIS vendor's reading of the annex: `required` is True where it says "x", False
where it is blank or states a condition (kept in `required_note`).

Data is built by scripts/build_reference.py and loaded on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

FieldType = Literal["string", "number"]


@dataclass(frozen=True, slots=True)
class ClaimField:
    name: str  # "MA_LK"
    order: int  # position in the table, from 1, as written in the XML
    stt: int | None  # the annex's STT; None for fields QĐ 4750 inserted (XML1 NHOM_MAU)
    type: FieldType  # effective type, after the QĐ 4750 correction
    type_qd130: FieldType
    max_size: int | None  # effective maximum length; None where the annex writes "n"
    size_qd130: int | None
    required: bool | None  # None: the rules workbook has no row for the field
    required_note: str | None  # a condition instead of "x": "Bắt buộc khi MA_NHOM = 12"
    description: str | None  # "Diễn giải" (QĐ 130), None for fields QĐ 4750 added
    note_4750: str | None  # "Đính chính hoặc sửa đổi, bổ sung"
    valid: str | None  # the rules workbook's VALID note: "Như 4210", ">= NGAY_VAO", …

    @property
    def type_changed(self) -> bool:
        return self.type != self.type_qd130


@dataclass(frozen=True, slots=True)
class ClaimTable:
    id: str  # LOAIHOSO: "XML0" … "XML15"
    number: int
    title: str  # "Bảng 1. Chỉ tiêu tổng hợp khám bệnh, chữa bệnh"
    sheet: str  # annex sheet name, stray spaces included
    fields: tuple[ClaimField, ...]
    notes: str | None  # the "Ghi chú" under the table
    # Inner XML: root element, then the list and record elements for repeating tables
    # (None for single-record tables, whose fields sit under the root).
    xml_root: str | None
    xml_list: str | None
    xml_record: str | None
    xml_layout_known: bool  # False for XML6 (only its root is documented) and XML12
    sent_by_his: bool  # False for XML12, entered on the insurance portal

    def field(self, name: str) -> ClaimField:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(f"{self.id} has no field {name!r}")

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


def _field(order: int, raw: dict[str, Any]) -> ClaimField:
    return ClaimField(
        name=raw["name"],
        order=order,
        stt=raw["stt"],
        type=raw["type"],
        type_qd130=raw["type_qd130"],
        max_size=raw["max_size"],
        size_qd130=raw["size_qd130"],
        required=raw["required"],
        required_note=raw["required_note"],
        description=raw["description"],
        note_4750=raw["note_4750"],
        valid=raw["valid"],
    )


def _table(raw: dict[str, Any]) -> ClaimTable:
    return ClaimTable(
        id=raw["id"],
        number=raw["number"],
        title=raw["title"],
        sheet=raw["sheet"],
        fields=tuple(_field(i, f) for i, f in enumerate(raw["fields"], start=1)),
        notes=raw["notes"],
        xml_root=raw["xml_root"],
        xml_list=raw["xml_list"],
        xml_record=raw["xml_record"],
        xml_layout_known=raw["xml_layout_known"],
        sent_by_his=raw["sent_by_his"],
    )


@cache
def tables() -> tuple[ClaimTable, ...]:
    """XML0 … XML15, in order."""
    raw = resources.files("yteso.reference").joinpath("data/qd130_tables.json").read_text("utf-8")
    return tuple(_table(t) for t in json.loads(raw)["tables"])


@cache
def _by_id() -> dict[str, ClaimTable]:
    return {t.id: t for t in tables()}


def table(table_id: str) -> ClaimTable:
    """The table with this LOAIHOSO id ("XML1", case-insensitive)."""
    try:
        return _by_id()[table_id.strip().upper()]
    except KeyError:
        known = ", ".join(_by_id())
        raise KeyError(f"no claim table {table_id!r}; known tables: {known}") from None
