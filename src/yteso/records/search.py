"""FHIR search: parameters parsed against the definitions, compiled to one SQL query.

Repeated parameters are ANDed, comma-separated values ORed. Unknown parameters become
warnings (or a 400 under `Prefer: handling=strict`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from sqlalchemy import ColumnElement, Select, and_, any_, false, func, not_, or_, select

from yteso.core.text import fold, is_digits
from yteso.records import repository
from yteso.records.definitions import (
    COMMON_PARAMS,
    COMPARTMENT,
    RESULT_PARAMS,
    SEARCH_PARAMS,
    SearchParam,
)
from yteso.records.indexing import TOKEN_LIMIT, date_range
from yteso.records.outcome import FhirError, Issue, fail
from yteso.records.repository import BODY, CURRENT, DATES, REFS, STRINGS, TOKENS

DEFAULT_COUNT, MAX_COUNT = 20, 500
_PREFIXES = ("eq", "ge", "le", "gt", "lt")
_PERSON_CHAINS = ("patient.identifier", "subject.identifier", "patient:Patient.identifier")


@dataclass
class Filter:
    name: str
    modifier: str | None
    values: list[str]


@dataclass
class SearchRequest:
    res_type: str
    filters: list[Filter] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    sort: list[tuple[str, bool]] = field(default_factory=list)  # name, descending
    includes: list[tuple[str, str]] = field(default_factory=list)  # param, (unused target)
    revincludes: list[tuple[str, str]] = field(default_factory=list)  # source type, param
    summary_count: bool = False
    total_accurate: bool = False
    warnings: list[Issue] = field(default_factory=list)
    echo: list[tuple[str, str]] = field(default_factory=list)  # accepted params, for links


def parse(res_type: str, pairs: Sequence[tuple[str, str]], strict: bool = False) -> SearchRequest:
    request = SearchRequest(res_type)
    for key, value in pairs:
        problem = _accept(request, key, value)
        if problem is None:
            request.echo.append((key, value))
        else:
            request.warnings.append(Issue("warning", "not-supported", problem, key))
    if strict and request.warnings:
        raise FhirError(
            400, [Issue("error", i.code, i.diagnostics, i.expression) for i in request.warnings]
        )
    return request


def _accept(request: SearchRequest, key: str, value: str) -> str | None:
    name, _, modifier = key.partition(":")
    if name in RESULT_PARAMS:
        return _result_param(request, name, value)
    if key in _PERSON_CHAINS and COMPARTMENT.get(request.res_type):
        request.filters.append(Filter("person-chain", None, value.split(",")))
        return None
    params = SEARCH_PARAMS[request.res_type]
    if name not in COMMON_PARAMS and name != "_tag" and name not in params:
        return f"Tham số tìm kiếm không hỗ trợ cho {request.res_type}: {key}"
    if modifier and not _modifier_ok(params.get(name), modifier):
        return f"Bộ bổ nghĩa không hỗ trợ: {key}"
    if not value:
        return f"Tham số {key} không có giá trị"
    request.filters.append(Filter(name, modifier or None, value.split(",")))
    return None


def _modifier_ok(param: SearchParam | None, modifier: str) -> bool:
    if param is None:
        return False
    allowed = {"token": {"not"}, "string": {"exact", "contains"}}.get(param.kind, set())
    return modifier in allowed or (param.kind == "reference" and modifier[:1].isupper())


def _result_param(request: SearchRequest, name: str, value: str) -> str | None:
    if name in ("_count", "_offset"):
        if not is_digits(value):
            return f"{name} phải là số nguyên không âm"
        if name == "_count":
            request.count = min(int(value), MAX_COUNT)
        else:
            request.offset = int(value)
    elif name == "_sort":
        return _sort(request, value)
    elif name in ("_include", "_revinclude"):
        return _include(request, name, value)
    elif name == "_summary":
        if value != "count":
            return "Chỉ hỗ trợ _summary=count"
        request.summary_count = True
    elif name == "_total":
        request.total_accurate = value == "accurate"
    return None


def _sort(request: SearchRequest, value: str) -> str | None:
    for item in value.split(","):
        descending, name = item.startswith("-"), item.lstrip("-")
        param = SEARCH_PARAMS[request.res_type].get(name)
        if name not in COMMON_PARAMS and (param is None or param.kind != "date"):
            return f"Không sắp xếp được theo {name}: chỉ _id, _lastUpdated và tham số ngày"
        request.sort.append((name, descending))
    return None


def _include(request: SearchRequest, name: str, value: str) -> str | None:
    parts = value.split(":")
    if len(parts) not in (2, 3) or parts[0] not in SEARCH_PARAMS:
        return f"{name} ghi dạng Loại:tham-số (nhận {value!r})"
    param = SEARCH_PARAMS[parts[0]].get(parts[1])
    if param is None or param.kind != "reference":
        return f"{parts[0]}:{parts[1]} không phải tham số tham chiếu"
    if name == "_include":
        if parts[0] != request.res_type:
            return f"_include phải bắt đầu bằng {request.res_type}"
        request.includes.append((parts[1], parts[2] if len(parts) == 3 else ""))
    else:
        request.revincludes.append((parts[0], parts[1]))
    return None


# --- compiling -------------------------------------------------------------------------


def _owner(table: Any) -> ColumnElement[bool]:
    owned: ColumnElement[bool] = table.c.serial == CURRENT.c.serial
    return owned


def _token(param: str, value: str) -> ColumnElement[bool]:
    if "|" not in value:
        return and_(TOKENS.c.param == param, TOKENS.c.code == value[:TOKEN_LIMIT])
    system, code = value.split("|", 1)
    clause = and_(TOKENS.c.param == param, TOKENS.c.system == system[:TOKEN_LIMIT])
    return and_(clause, TOKENS.c.code == code[:TOKEN_LIMIT]) if code else clause


def _string(param: str, value: str, modifier: str | None) -> ColumnElement[bool]:
    folded = fold(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    if modifier == "exact":
        return and_(STRINGS.c.param == param, STRINGS.c.value == fold(value))
    pattern = f"%{folded}%" if modifier == "contains" else f"{folded}%"
    return and_(STRINGS.c.param == param, STRINGS.c.value.like(pattern, escape="\\"))


def prefixed(value: str) -> tuple[str, datetime, datetime]:
    prefix = value[:2] if value[:2] in _PREFIXES else "eq"
    try:
        low, high = date_range(value[2:] if value[:2] in _PREFIXES else value)
    except ValueError as error:
        raise fail(400, "value", str(error)) from None
    return prefix, low, high


def _date_clause(low_col: Any, high_col: Any, value: str) -> ColumnElement[bool]:
    prefix, low, high = prefixed(value)
    if prefix == "eq":
        return and_(low_col >= low, high_col <= high)
    clauses: dict[str, ColumnElement[bool]] = {
        "ge": high_col > low,
        "gt": high_col > high,
        "le": low_col < high,
        "lt": low_col < low,
    }
    return clauses[prefix]


def _instant_clause(column: Any, value: str) -> ColumnElement[bool]:
    """A column holding one instant t, the range [t, t + 1 µs): `ge` the very instant a
    resource was stamped finds it, `gt` does not."""
    prefix, low, high = prefixed(value)
    clauses: dict[str, ColumnElement[bool]] = {
        "eq": and_(column >= low, column < high),
        "ge": column >= low,
        "gt": column >= high,
        "le": column < high,
        "lt": column < low,
    }
    return clauses[prefix]


def _reference(res_type: str, param: str, value: str, modifier: str | None) -> ColumnElement[bool]:
    target_type, _, target_id = value.rpartition("/")
    clause = and_(repository.reference_rows(res_type, param), REFS.c.target_id == target_id)
    target_type = target_type.rsplit("/", 1)[-1] or (modifier or "")
    return and_(clause, REFS.c.target_type == target_type) if target_type else clause


def _index_filter(
    request: SearchRequest, item: Filter, anchor: bool, postgresql: bool
) -> ColumnElement[bool]:
    param = SEARCH_PARAMS[request.res_type].get(item.name)
    kind = "token" if item.name == "_tag" else param.kind if param else ""
    table = {"token": TOKENS, "string": STRINGS, "date": DATES, "reference": REFS}[kind]
    ors = []
    for value in item.values:
        if kind == "token":
            ors.append(_token(item.name, value))
        elif kind == "string":
            ors.append(_string(item.name, value, item.modifier))
        elif kind == "date":
            ors.append(
                and_(DATES.c.param == item.name, _date_clause(DATES.c.low, DATES.c.high, value))
            )
        else:
            ors.append(_reference(request.res_type, item.name, value, item.modifier))
    condition = and_(table.c.res_type == request.res_type, or_(*ors))
    if anchor and item.modifier != "not":
        matches = select(table.c.serial).where(condition)
        if postgresql:
            # The matching serials first, then their rows: a cost in proportion to the
            # matches. As a semi-join PostgreSQL may walk the resources in serial order from
            # the first one until it meets enough matches, which for values only recent
            # resources have (dates, new codes) means the whole table.
            return CURRENT.c.serial == any_(func.array(matches.scalar_subquery()))
        # SQLite builds the matches' serials into a sorted temporary index and reads it in
        # order: no sort, and it stops at the page's end.
        return CURRENT.c.serial.in_(matches)
    exists = select(table.c.row_id).where(_owner(table), condition).exists()
    return not_(exists) if item.modifier == "not" else exists


def _patient_ids(values: list[str]) -> list[str]:
    return [v.rsplit("/", 1)[-1] for v in values]


def _column_filter(session: Any, request: SearchRequest, item: Filter) -> Any:
    if item.name == "_id":
        return CURRENT.c.res_id.in_(item.values)
    if item.name == "_lastUpdated":
        return or_(*(_instant_clause(CURRENT.c.last_updated, v) for v in item.values))
    if item.name == "person-chain":
        return CURRENT.c.patient_id.in_(person_patients(session, item.values) or [""])
    if item.name == "patient" and COMPARTMENT.get(request.res_type) and not item.modifier:
        patients = _patient_ids(item.values)
        if len(patients) == 1:
            return CURRENT.c.patient_id == patients[0]
        return CURRENT.c.patient_id.in_(patients)
    return None


def person_patients(session: Any, identifiers: list[str]) -> list[str]:
    """Every Patient (any facility) of the people holding these identifiers (system|value)."""
    direct = matching_ids(session, "Patient", [("identifier", ",".join(identifiers))], 1000)
    if not direct:
        return []
    people = repository.people_of_patients(session, direct)
    linked = repository.patients_of_people(session, people) if people else []
    return sorted(set(direct) | set(linked))


def _where(session: Any, request: SearchRequest) -> list[Any]:
    clauses: list[Any] = [CURRENT.c.res_type == request.res_type, CURRENT.c.deleted == false()]
    index_items = []
    for item in request.filters:
        column = _column_filter(session, request, item)
        if column is None:
            index_items.append(item)
        else:
            clauses.append(column)
    anchored = len(clauses) > 2
    postgresql = session.get_bind().dialect.name == "postgresql"
    for item in index_items:
        clauses.append(_index_filter(request, item, not anchored, postgresql))
        anchored = anchored or item.modifier != "not"
    return clauses


def _order(request: SearchRequest) -> list[Any]:
    order: list[Any] = []
    for name, descending in request.sort:
        if name == "_id":
            column: Any = CURRENT.c.res_id
        elif name == "_lastUpdated":
            column = CURRENT.c.last_updated
        else:
            column = (
                select(func.min(DATES.c.low))
                .where(_owner(DATES), DATES.c.param == name)
                .scalar_subquery()
            )
        order.append(column.desc() if descending else column)
    # Then in the order stored: the order index rows and compartments give without a sort.
    return [*order, CURRENT.c.serial]


def compile_page(session: Any, request: SearchRequest) -> Select[Any]:
    query = select(CURRENT.c.res_type, CURRENT.c.res_id, CURRENT.c.patient_id, BODY)
    query = query.where(*_where(session, request)).order_by(*_order(request))
    return query.limit(request.count + 1).offset(request.offset)


def compile_count(session: Any, request: SearchRequest) -> Select[Any]:
    return select(func.count()).select_from(CURRENT).where(*_where(session, request))


def matching_ids(
    session: Any,
    res_type: str,
    query: Mapping[str, str] | str | Sequence[tuple[str, str]],
    limit: int = 2,
) -> list[str]:
    """Ids matching a condition (If-None-Exist, conditional update); at most a few."""
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, Mapping):
        pairs = list(query.items())
    else:
        pairs = list(query)
    request = parse(res_type, pairs, strict=True)
    if not request.filters:
        raise fail(400, "invalid", "Điều kiện không có tham số tìm kiếm nào")
    request.count = limit - 1
    return [row[1] for row in repository.fetch(session, compile_page(session, request))]
