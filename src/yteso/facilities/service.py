"""Facility registry use cases. Takes the session first and never commits."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from yteso.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from yteso.core.text import fold, is_digits, nfc
from yteso.facilities import repository
from yteso.facilities.models import Facility, FacilityDepartment
from yteso.facilities.schemas import (
    Department,
    FacilityFilter,
    FacilityIn,
    FacilityOut,
    FacilityPage,
    FacilityUpdate,
)
from yteso.reference import admin_units

_CODE = re.compile(r"^\d{5}$", re.ASCII)
# MA_KHOA: "K" and the 2-digit department of the common category list, optionally followed by
# the facility's own sub-unit suffix (K01.1, K19A).
_DEPARTMENT = re.compile(r"^K\d{2}[0-9A-Z._-]{0,17}$", re.ASCII)
_PHONE = re.compile(r"^0\d{9,10}$", re.ASCII)


@dataclass(frozen=True)
class RegistryRules:
    """What a facility of this province must satisfy (from settings)."""

    province_code: int
    code_prefixes: tuple[str, ...]


def facility_problems(
    data: FacilityIn | FacilityUpdate, rules: RegistryRules, row: int | None = None
) -> list[FieldProblem]:
    """Everything wrong with a facility's fields, each naming the field (and the CSV row)."""
    problems: list[FieldProblem] = []
    if isinstance(data, FacilityIn):
        problems += _code_problems(data.code, rules, row)
    if data.commune_code is not None:
        problems += _commune_problems(data.commune_code, rules, row)
    if data.phone and not _PHONE.match(_digits(data.phone)):
        problems.append(
            FieldProblem("phone", "số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0", row, data.phone)
        )
    if data.departments is not None:
        problems += _department_problems(data.departments, row)
    return problems


def _digits(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", phone)


def _code_problems(code: str, rules: RegistryRules, row: int | None) -> list[FieldProblem]:
    if not _CODE.match(code):
        return [FieldProblem("code", "mã cơ sở KCB (MA_CSKCB) gồm đúng 5 chữ số", row, code)]
    if code[:2] not in rules.code_prefixes:
        allowed = ", ".join(rules.code_prefixes)
        message = f"2 số đầu của mã cơ sở phải là mã tỉnh ({allowed}), không phải {code[:2]}"
        return [FieldProblem("code", message, row, code)]
    return []


def _commune_problems(code: str, rules: RegistryRules, row: int | None) -> list[FieldProblem]:
    commune = admin_units.get_commune(code) if is_digits(code) else None
    if commune is None:
        message = "mã xã/phường không có trong danh mục sau 01/07/2025 (5 chữ số, vd 05443)"
        return [FieldProblem("commune_code", message, row, code)]
    if commune.province_code != rules.province_code:
        message = f"{commune.name} không thuộc tỉnh mã {rules.province_code}"
        return [FieldProblem("commune_code", message, row, code)]
    return []


def _department_problems(departments: list[Department], row: int | None) -> list[FieldProblem]:
    problems = []
    seen: set[str] = set()
    for department in departments:
        if not _DEPARTMENT.match(department.code):
            message = "mã khoa (MA_KHOA) dạng K và 2 chữ số, vd K01"
            problems.append(FieldProblem("departments", message, row, department.code))
        if department.code in seen:
            problems.append(FieldProblem("departments", "mã khoa bị trùng", row, department.code))
        seen.add(department.code)
    return problems


def to_out(facility: Facility) -> FacilityOut:
    out = FacilityOut.model_validate(facility)
    commune = admin_units.get_commune(facility.commune_code)
    out.commune_name = commune.name if commune else None
    return out


def get_facility(session: Session, code: str) -> FacilityOut:
    return to_out(_require(session, code))


def _require(session: Session, code: str) -> Facility:
    facility = repository.get(session, code)
    if facility is None:
        raise NotFound(f"Không có cơ sở KCB mã {code}")
    return facility


def find_facility(session: Session, code: str) -> FacilityOut | None:
    facility = repository.get(session, code)
    return to_out(facility) if facility else None


# Kiosks and boards ask for their facility on every request; the registry changes rarely.
RECENT_SECONDS = 10.0
_recent: dict[tuple[str, str], tuple[float, FacilityOut]] = {}


def recent_facility(session: Session, code: str) -> FacilityOut | None:
    """find_facility, with the answer reused for RECENT_SECONDS in this process: a change
    made by another process reaches the callers within that time, one made by this process
    at once. The result is shared: callers must not modify it."""
    key = (str(session.get_bind().engine.url), code)
    now = time.monotonic()
    hit = _recent.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    found = find_facility(session, code)
    if found is not None:
        _recent[key] = (now + RECENT_SECONDS, found)
    return found


def forget_recent_facilities() -> None:
    """After changes made behind the service's back (tests emptying tables)."""
    _recent.clear()


def search_facilities(
    session: Session, where: FacilityFilter, limit: int = 50, offset: int = 0
) -> FacilityPage:
    items, total = repository.search(session, where, limit, offset)
    return FacilityPage(items=[to_out(f) for f in items], total=total, limit=limit, offset=offset)


def first_facility_code(session: Session, where: FacilityFilter) -> str | None:
    """The lowest code of the facilities matching `where` (one short query)."""
    return repository.first_code(session, where)


def count_active_facilities(session: Session) -> int:
    return repository.count_active(session)


def has_demo_facilities(session: Session) -> bool:
    return repository.any_demo(session)


def _new_facility(data: FacilityIn, is_demo: bool) -> Facility:
    name = nfc(data.name)
    return Facility(
        code=data.code,
        name=name,
        name_key=fold(name),
        kind=data.kind,
        owner=data.owner,
        technical_level=data.technical_level,
        commune_code=data.commune_code,
        address=nfc(data.address) if data.address else None,
        phone=_digits(data.phone) if data.phone else None,
        emr_status=data.emr_status,
        iso15189_lab=data.iso15189_lab,
        telemedicine_hub=data.telemedicine_hub,
        is_demo=is_demo,
        departments=[FacilityDepartment(code=d.code, name=nfc(d.name)) for d in data.departments],
    )


def create_facility(
    session: Session, data: FacilityIn, rules: RegistryRules, is_demo: bool = False
) -> FacilityOut:
    problems = facility_problems(data, rules)
    if problems:
        raise ValidationFailed(f"Cơ sở {data.code} không hợp lệ", problems)
    if repository.get(session, data.code) is not None:
        raise Conflict(f"Mã cơ sở {data.code} đã có trong danh mục")
    facility = _new_facility(data, is_demo)
    session.add(facility)
    session.flush()
    forget_recent_facilities()
    return to_out(facility)


def update_facility(
    session: Session, code: str, changes: FacilityUpdate, rules: RegistryRules
) -> FacilityOut:
    facility = _require(session, code)
    problems = facility_problems(changes, rules)
    if problems:
        raise ValidationFailed(f"Thay đổi cơ sở {code} không hợp lệ", problems)
    _apply(session, facility, changes)
    session.flush()
    forget_recent_facilities()
    return to_out(facility)


def _apply(session: Session, facility: Facility, changes: FacilityUpdate) -> None:
    values = changes.model_dump(exclude_unset=True, exclude={"departments"})
    if values.get("name"):
        values["name"] = nfc(values["name"])
        facility.name_key = fold(values["name"])
    if values.get("phone"):
        values["phone"] = _digits(values["phone"])
    for name, value in values.items():
        setattr(facility, name, value)
    if changes.departments is not None:
        # Old rows go first: the new list may reuse their codes, which are unique per facility.
        facility.departments.clear()
        session.flush()
        facility.departments = [
            FacilityDepartment(code=d.code, name=nfc(d.name)) for d in changes.departments
        ]


def set_active(session: Session, code: str, active: bool) -> FacilityOut:
    facility = _require(session, code)
    facility.active = active
    session.flush()
    forget_recent_facilities()
    return to_out(facility)
