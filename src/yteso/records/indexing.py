"""Search-index rows computed from a resource at write time (pure; no database)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

from yteso.core.text import fold
from yteso.records.definitions import COMPARTMENT, REFERENCE_ROWS, SEARCH_PARAMS

EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, tzinfo=UTC)
_DAY, _MINUTE, _SECOND = timedelta(days=1), timedelta(minutes=1), timedelta(seconds=1)
_MICROSECOND = timedelta(microseconds=1)
_DATE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?P<f>\.\d+)?)?"
    r"(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$",
    re.ASCII,
)


@dataclass
class IndexRows:
    tokens: list[tuple[str, str, str]] = field(default_factory=list)  # param, system, code
    strings: list[tuple[str, str]] = field(default_factory=list)  # param, folded value
    dates: list[tuple[str, datetime, datetime]] = field(default_factory=list)  # param, low, high
    refs: list[tuple[str, str, str]] = field(default_factory=list)  # param, type, id


def date_range(text: str) -> tuple[datetime, datetime]:
    """A FHIR date/dateTime/instant as the half-open UTC range its precision covers.

    Values without an offset are read as UTC."""
    match = _DATE.match(text.strip())
    if not match:
        raise ValueError(f"ngày giờ không hợp lệ: {text!r}")
    y, m, d, hour, second, fraction = match.group("y", "m", "d", "H", "S", "f")
    year, month, day = int(y), int(m or 1), int(d or 1)
    if not m:
        return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    if not d:
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
        return start, end
    if not hour:
        start = datetime(year, month, day, tzinfo=UTC)
        return start, start + _DAY
    stamp = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    stamp = stamp.astimezone(UTC) if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return stamp, stamp + (_MICROSECOND if fraction else _SECOND if second else _MINUTE)


def parse_reference(value: str) -> tuple[str, str] | None:
    """ "Patient/123" (or "Patient/123/_history/2") -> ("Patient", "123")."""
    parts = value.split("/")
    if len(parts) in (2, 4) and parts[0][:1].isupper() and not value.startswith("urn:"):
        return parts[0], parts[1]
    return None


def _collect(node: Any, parts: tuple[str, ...], depth: int, out: list[Any]) -> None:
    """The values at `parts` below `node`, lists flattened at every level, appended to `out`."""
    # A list's items are handled here, not by a call each: a Claim has dozens of items.
    for item in node if isinstance(node, list) else (node,):
        if isinstance(item, list):
            _collect(item, parts, depth, out)
        elif depth == len(parts):
            out.append(item)
        elif isinstance(item, dict) and parts[depth] in item:
            _collect(item[parts[depth]], parts, depth + 1, out)


@cache
def _split(path: str) -> tuple[str, tuple[str, ...]]:
    """ "participant.actor" -> ("participant", ("actor",)): the top-level element and below."""
    head, *rest = path.split(".")
    return head, tuple(rest)


def _values(node: Any, parts: tuple[str, ...]) -> Sequence[Any]:
    """The values at `parts` below `node`, a top-level element's value (None if absent)."""
    if not parts and not isinstance(node, list):
        return (node,)  # most paths are one element holding one value
    out: list[Any] = []
    _collect(node, parts, 0, out)
    return out


# Index rows of one table as the keys of a dict: each row once, in the order first seen.
_Table = dict[tuple[Any, ...], None]


# Token systems and codes are cut to their columns' size (the search cuts its values the
# same way): a longer one would fail the insert on PostgreSQL.
TOKEN_LIMIT = 200


def _add_token(table: _Table, name: str, _targets: tuple[str, ...], value: Any) -> None:
    if isinstance(value, bool):
        table[name, "", "true" if value else "false"] = None
    elif isinstance(value, str):
        table[name, "", value[:TOKEN_LIMIT]] = None
    elif isinstance(value, dict):
        if "coding" in value:
            for coding in value["coding"] or []:
                _add_token(table, name, _targets, coding)
        elif "code" in value:
            system = str(value.get("system", ""))[:TOKEN_LIMIT]
            table[name, system, str(value["code"])[:TOKEN_LIMIT]] = None
        elif "value" in value:  # Identifier, ContactPoint
            system = str(value.get("system", ""))[:TOKEN_LIMIT]
            table[name, system, str(value["value"])[:TOKEN_LIMIT]] = None


@lru_cache(maxsize=16384)
def _folded(text: str) -> str:
    return fold(text)  # family and given names come again and again


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield _folded(value)
    elif isinstance(value, dict):  # HumanName: every part and the whole name
        parts = [value.get("family"), *(value.get("given") or [])]
        words = [p for p in parts if isinstance(p, str)]
        for word in words:
            yield _folded(word)
        if len(words) > 1:
            yield _folded(" ".join(words))
        if isinstance(value.get("text"), str):
            yield _folded(value["text"])  # often the same whole name again


def _add_string(table: _Table, name: str, _targets: tuple[str, ...], value: Any) -> None:
    for text in _strings(value):
        if text:
            table[name, text[:200]] = None


@lru_cache(maxsize=16384)
def _cached_range(text: str) -> tuple[datetime, datetime]:
    return date_range(text)  # many resources share a day or an instant


def _add_date(table: _Table, name: str, _targets: tuple[str, ...], value: Any) -> None:
    if isinstance(value, str):
        low, high = _cached_range(value)
        table[name, low, high] = None
    elif isinstance(value, dict) and ("start" in value or "end" in value):
        low = _cached_range(value["start"])[0] if value.get("start") else EARLIEST
        high = _cached_range(value["end"])[1] if value.get("end") else LATEST
        table[name, low, high] = None


@lru_cache(maxsize=16384)
def _cached_reference(value: str) -> tuple[str, str] | None:
    return parse_reference(value)  # a patient's resources all point at it


def _add_reference(table: _Table, name: str, targets: tuple[str, ...], value: Any) -> None:
    if isinstance(value, dict):
        reference = value.get("reference")
        if isinstance(reference, str):
            parsed = _cached_reference(reference)
            if parsed and (not targets or parsed[0] in targets):
                table[name, parsed[0], parsed[1]] = None


_KINDS = {"token": (0, _add_token), "string": (1, _add_string), "date": (2, _add_date)}
_REFERENCE_KIND = (3, _add_reference)
_Adder = Callable[[_Table, str, tuple[str, ...], Any], None]
_Feed = tuple[int, _Adder, str, tuple[str, ...]]  # table (IndexRows order), adder, param, targets
# Per top-level element: each path below it, read once, with the parameters it feeds.
_Plan = tuple[tuple[str, tuple[tuple[tuple[str, ...], tuple[_Feed, ...]], ...]], ...]


@cache
def _plan(res_type: str) -> _Plan:
    heads: dict[str, dict[tuple[str, ...], list[_Feed]]] = {}
    rows = REFERENCE_ROWS[res_type]
    for param in SEARCH_PARAMS[res_type].values():
        if param.name in rows and rows[param.name].param != param.name:
            continue  # read from the wider parameter's rows
        table, add = _KINDS.get(param.kind, _REFERENCE_KIND)
        for path in param.paths:
            head, rest = _split(path)
            below = heads.setdefault(head, {}).setdefault(rest, [])
            below.append((table, add, param.name, param.targets))
    return tuple(
        (head, tuple((rest, tuple(feeds)) for rest, feeds in paths.items()))
        for head, paths in heads.items()
    )


def index_rows(resource: dict[str, Any]) -> IndexRows:
    """Every search-index row of the resource, each once (searches ask whether a resource
    has a row, and every item of a QĐ 130 Claim names the same Encounter); ValueError names
    a malformed date."""
    tables: tuple[_Table, _Table, _Table, _Table] = ({}, {}, {}, {})
    for head, paths in _plan(resource["resourceType"]):
        node = resource.get(head)
        if node is None:
            continue
        for rest, feeds in paths:
            values = _values(node, rest)
            for table, add, name, targets in feeds:
                for value in values:
                    add(tables[table], name, targets, value)
    for tag in (resource.get("meta") or {}).get("tag") or []:
        _add_token(tables[0], "_tag", (), tag)
    tokens, strings, dates, refs = tables
    return IndexRows(list(tokens), list(strings), list(dates), list(refs))


def compartment_patient(resource: dict[str, Any]) -> str | None:
    """The id of the Patient whose compartment the resource is in."""
    res_type = resource["resourceType"]
    if res_type == "Patient":
        return str(resource.get("id")) if resource.get("id") else None
    path = COMPARTMENT.get(res_type)
    if path is None:
        return None
    head, rest = _split(path)
    for value in _values(resource.get(head), rest):
        if isinstance(value, dict) and isinstance(value.get("reference"), str):
            parsed = _cached_reference(value["reference"])
            if parsed and parsed[0] == "Patient":
                return parsed[1]
    return None


def birth_date(resource: dict[str, Any]) -> date | None:
    text = resource.get("birthDate")
    return date_range(text)[0].date() if isinstance(text, str) and len(text) == 10 else None
