"""Old → new commune codes: recorded from a CSV (the province's decision lists), used to read
addresses written before the 07/2025 reform.

CSV columns: old_code, old_name, new_code, and optionally old_district_name,
old_province_code, source.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from yteso.core.errors import FieldProblem, ValidationFailed
from yteso.core.text import is_digits, nfc
from yteso.reference import admin_units
from yteso.reference.models import CommuneCrosswalk

REQUIRED = ("old_code", "old_name", "new_code")


@dataclass(frozen=True)
class CrosswalkEntry:
    old_code: str
    old_name: str
    new_code: str
    old_district_name: str | None = None
    old_province_code: int | None = None
    source: str | None = None


def _entry(record: dict[str, str], row: int, problems: list[FieldProblem]) -> CrosswalkEntry | None:
    before = len(problems)
    values = {key: (record.get(key) or "").strip() for key in record if key}
    for column in REQUIRED:
        if not values.get(column):
            problems.append(FieldProblem(column, "bắt buộc, đang để trống", row))
    old_code, new_code = values.get("old_code", ""), values.get("new_code", "")
    if old_code and not (is_digits(old_code) and len(old_code) == 5):
        problems.append(FieldProblem("old_code", "mã xã cũ gồm 5 chữ số", row, old_code))
    if new_code and admin_units.get_commune(new_code) is None:
        message = "mã xã mới không có trong danh mục sau 01/07/2025"
        problems.append(FieldProblem("new_code", message, row, new_code))
    province = values.get("old_province_code") or ""
    if province and not (is_digits(province) and int(province) in admin_units.FORMER_PROVINCES):
        problems.append(FieldProblem("old_province_code", "mã tỉnh cũ không hợp lệ", row, province))
    if len(problems) > before:
        return None
    return CrosswalkEntry(
        old_code=old_code,
        old_name=nfc(values["old_name"]),
        new_code=f"{int(new_code):05d}",
        old_district_name=nfc(values["old_district_name"])
        if values.get("old_district_name")
        else None,
        old_province_code=int(province) if province else None,
        source=values.get("source") or None,
    )


def read_crosswalk(text: str) -> list[CrosswalkEntry]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            "Dòng tiêu đề thiếu cột", [FieldProblem(c, "thiếu cột", 0) for c in missing]
        )
    problems: list[FieldProblem] = []
    entries: dict[str, CrosswalkEntry] = {}
    for row, record in enumerate(reader, start=1):
        entry = _entry(record, row, problems)
        if entry is None:
            continue
        if entry.old_code in entries and entries[entry.old_code].new_code != entry.new_code:
            problems.append(
                FieldProblem(
                    "old_code", "mã xã cũ xuất hiện hai lần với hai mã mới", row, entry.old_code
                )
            )
        entries[entry.old_code] = entry
    if problems:
        raise ValidationFailed(f"Tệp có {len(problems)} lỗi; chưa ghi dòng nào", problems)
    return list(entries.values())


def record_crosswalk(session: Session, entries: list[CrosswalkEntry]) -> int:
    """Record (or correct) each old commune's successor in the caller's transaction."""
    for entry in entries:
        session.merge(CommuneCrosswalk(**entry.__dict__))
    session.flush()
    return len(entries)


def current_commune(session: Session, code: str) -> admin_units.Commune | None:
    """The post-reform commune for a current or an old commune code."""
    commune = admin_units.get_commune(code)
    if commune is not None:
        return commune
    mapped = session.scalar(
        select(CommuneCrosswalk.new_code).where(CommuneCrosswalk.old_code == code)
    )
    return admin_units.get_commune(mapped) if mapped else None
