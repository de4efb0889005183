"""Facility registry as CSV: import all rows or none, export what is registered.

Columns (header row, UTF-8, comma separated): code, name, kind, owner, technical_level,
commune_code, address, phone, emr_status, iso15189_lab, telemedicine_hub, active, departments.
`departments` lists MA_KHOA:name pairs separated by ";" ("K01:Khoa Khám bệnh;K18:Khoa Nhi").
Booleans are 1/0, true/false or có/không.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy.orm import Session

from yteso.core.errors import FieldProblem, ValidationFailed
from yteso.facilities import repository
from yteso.facilities.models import Facility
from yteso.facilities.schemas import FacilityIn, FacilityUpdate
from yteso.facilities.service import (
    RegistryRules,
    create_facility,
    facility_problems,
    update_facility,
)

COLUMNS = (
    "code",
    "name",
    "kind",
    "owner",
    "technical_level",
    "commune_code",
    "address",
    "phone",
    "emr_status",
    "iso15189_lab",
    "telemedicine_hub",
    "active",
    "departments",
)
REQUIRED = ("code", "name", "kind", "owner", "technical_level", "commune_code")
_TRUE = {"1", "true", "yes", "có", "co", "x"}
_FALSE = {"0", "false", "no", "không", "khong", ""}


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


@dataclass(frozen=True)
class _Row:
    number: int
    facility: FacilityIn
    active: bool


def _boolean(raw: str, column: str, row: int, problems: list[FieldProblem]) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value not in _FALSE:
        problems.append(FieldProblem(column, "giá trị đúng/sai phải là 1 hoặc 0", row, raw))
    return False


def _departments(raw: str, row: int, problems: list[FieldProblem]) -> list[dict[str, str]]:
    result = []
    for part in filter(None, (p.strip() for p in raw.split(";"))):
        code, sep, name = part.partition(":")
        if not sep or not name.strip():
            problems.append(
                FieldProblem("departments", "mỗi khoa ghi dạng MA_KHOA:Tên khoa", row, part)
            )
            continue
        result.append({"code": code.strip(), "name": name.strip()})
    return result


def _parse_row(record: dict[str, str], number: int, problems: list[FieldProblem]) -> _Row | None:
    before = len(problems)
    for column in REQUIRED:
        if not (record.get(column) or "").strip():
            problems.append(FieldProblem(column, "bắt buộc, đang để trống", number))
    data: dict[str, object] = {
        key: record[key].strip() or None
        for key in COLUMNS[:8]  # the plain text columns, code … phone
        if record.get(key) is not None
    }
    data["emr_status"] = (record.get("emr_status") or "").strip() or "not_started"
    data["iso15189_lab"] = _boolean(
        record.get("iso15189_lab") or "", "iso15189_lab", number, problems
    )
    data["telemedicine_hub"] = _boolean(
        record.get("telemedicine_hub") or "", "telemedicine_hub", number, problems
    )
    active = _boolean(record.get("active") or "1", "active", number, problems)
    data["departments"] = _departments(record.get("departments") or "", number, problems)
    if len(problems) > before:
        return None
    try:
        return _Row(number, FacilityIn.model_validate(data), active)
    except ValidationError as error:
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "?"
            problems.append(FieldProblem(field, _readable(item), number, str(data.get(field, ""))))
        return None


def _readable(item: object) -> str:
    kind = item.get("type") if isinstance(item, dict) else None
    if kind == "enum":
        expected = item.get("ctx", {}).get("expected", "") if isinstance(item, dict) else ""
        return f"giá trị không nằm trong danh mục; chọn {expected}"
    return str(item.get("msg")) if isinstance(item, dict) else str(item)


def read_rows(text: str, rules: RegistryRules) -> list[_Row]:
    """Parse and check every row; raise one error listing every problem, row by row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailed(
            "Dòng tiêu đề thiếu cột bắt buộc", [FieldProblem(c, "thiếu cột", 0) for c in missing]
        )
    problems: list[FieldProblem] = []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    for number, record in enumerate(reader, start=1):
        if None in record:
            problems.append(FieldProblem("*", "dòng có nhiều cột hơn tiêu đề", number))
            continue
        row = _parse_row(record, number, problems)
        if row is None:
            continue
        problems += facility_problems(row.facility, rules, number)
        first = seen.setdefault(row.facility.code, number)
        if first != number:
            problems.append(
                FieldProblem("code", f"mã cơ sở trùng với dòng {first}", number, row.facility.code)
            )
        rows.append(row)
    if problems:
        raise ValidationFailed(f"Tệp có {len(problems)} lỗi; chưa nhập dòng nào", problems)
    return rows


def import_facilities(
    session: Session,
    text: str,
    rules: RegistryRules,
    update_existing: bool = False,
    is_demo: bool = False,
) -> ImportResult:
    """Import a whole file in the caller's transaction: every row, or (on any error) none."""
    rows = read_rows(text, rules)
    existing = repository.existing_codes(session, (r.facility.code for r in rows))
    clashes = [r for r in rows if r.facility.code in existing]
    if clashes and not update_existing:
        problems = [
            FieldProblem(
                "code",
                "mã cơ sở đã có trong danh mục (dùng --update để cập nhật)",
                r.number,
                r.facility.code,
            )
            for r in clashes
        ]
        raise ValidationFailed(f"{len(clashes)} mã cơ sở đã tồn tại; chưa nhập dòng nào", problems)
    for row in rows:
        if row.facility.code in existing:
            changes = FacilityUpdate.model_validate(row.facility.model_dump(exclude={"code"}))
            update_facility(session, row.facility.code, changes, rules)
        else:
            create_facility(session, row.facility, rules, is_demo=is_demo)
        facility = repository.get(session, row.facility.code)
        assert facility is not None
        facility.active = row.active
    session.flush()
    return ImportResult(created=len(rows) - len(clashes), updated=len(clashes))


def _row(facility: Facility) -> list[str]:
    departments = ";".join(f"{d.code}:{d.name}" for d in facility.departments)
    flags = [facility.iso15189_lab, facility.telemedicine_hub, facility.active]
    return [
        facility.code,
        facility.name,
        facility.kind,
        facility.owner,
        facility.technical_level,
        facility.commune_code,
        facility.address or "",
        facility.phone or "",
        facility.emr_status,
        *("1" if flag else "0" for flag in flags),
        departments,
    ]


def export_facilities(session: Session) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for facility in repository.all_facilities(session):
        writer.writerow(_row(facility))
    return buffer.getvalue()
