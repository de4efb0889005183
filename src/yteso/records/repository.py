"""Every query of the FHIR store. Resource bodies travel as JSON text both ways (orjson in,
raw text out), so no resource is parsed by the database driver on the hot paths."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from typing import cast as typed

import orjson
import psycopg
from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    Text,
    TextClause,
    and_,
    bindparam,
    cast,
    delete,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from yteso.core.db import UtcDateTime
from yteso.records.definitions import REFERENCE_ROWS
from yteso.records.models import (
    DateIndex,
    FhirHistory,
    FhirResource,
    ReferenceIndex,
    StringIndex,
    TokenIndex,
)

CURRENT = typed(Table, FhirResource.__table__)
HISTORY = typed(Table, FhirHistory.__table__)
TOKENS = typed(Table, TokenIndex.__table__)
STRINGS = typed(Table, StringIndex.__table__)
DATES = typed(Table, DateIndex.__table__)
REFS = typed(Table, ReferenceIndex.__table__)
INDEX_TABLES = (TOKENS, STRINGS, DATES, REFS)
BODY = cast(CURRENT.c.resource, Text)


@dataclass(frozen=True)
class Current:
    serial: int
    version: int
    last_updated: datetime
    deleted: bool
    patient_id: str | None
    person_id: int | None
    body: str


def _json(session: Session, name: str) -> str:
    return (
        f"CAST(:{name} AS JSONB)" if session.get_bind().dialect.name == "postgresql" else f":{name}"
    )


def _typed(sql: str) -> TextClause:
    return text(sql).bindparams(bindparam("last_updated", type_=UtcDateTime()))


# Built once: the read by id is the hottest query, and building a select costs more than
# running it on SQLite. Executed on the connection, past the ORM's execution layer.
_CURRENT_FIELDS = (
    CURRENT.c.serial,
    CURRENT.c.version,
    CURRENT.c.last_updated,
    CURRENT.c.deleted,
    CURRENT.c.patient_id,
    CURRENT.c.person_id,
    BODY,
)
_GET_CURRENT = select(*_CURRENT_FIELDS).where(
    CURRENT.c.res_type == bindparam("res_type"), CURRENT.c.res_id == bindparam("res_id")
)


def get_current(session: Session, res_type: str, res_id: str) -> Current | None:
    row = (
        session.connection().execute(_GET_CURRENT, {"res_type": res_type, "res_id": res_id}).first()
    )
    return Current(row[0], row[1], row[2], bool(row[3]), row[4], row[5], row[6]) if row else None


def serials(session: Session, res_type: str, ids: Sequence[str]) -> dict[str, int]:
    """The serial of each of these ids that is stored: one bound value for all of them."""
    if session.get_bind().dialect.name == "postgresql":
        sql = "SELECT res_id, serial FROM fhir_resources WHERE res_type = :t AND res_id = ANY(:ids)"
        values: Any = list(ids)
    else:
        sql = (
            "SELECT res_id, serial FROM fhir_resources WHERE res_type = :t "
            "AND res_id IN (SELECT value FROM json_each(:ids))"
        )
        values = orjson.dumps(list(ids)).decode()
    return {r[0]: r[1] for r in session.execute(text(sql), {"t": res_type, "ids": values})}


def serials_of(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The serial of each stored (type, id), one query per type."""
    by_type: dict[str, list[str]] = {}
    for res_type, res_id in keys:
        by_type.setdefault(res_type, []).append(res_id)
    found: dict[tuple[str, str], int] = {}
    for res_type, ids in by_type.items():
        found.update(((res_type, i), n) for i, n in serials(session, res_type, ids).items())
    return found


def existing_versions(session: Session, res_type: str, ids: Sequence[str]) -> dict[str, int]:
    rows = session.execute(
        select(CURRENT.c.res_id, CURRENT.c.version).where(
            CURRENT.c.res_type == res_type, CURRENT.c.res_id.in_(ids)
        )
    )
    return {r[0]: r[1] for r in rows}


def _sqlite_time(value: datetime, memo: dict[datetime, str]) -> str:
    """The text SQLAlchemy's SQLite DateTime (so UtcDateTime) stores and compares."""
    text_value = memo.get(value)
    if text_value is None:
        naive = value.astimezone(UTC).replace(tzinfo=None)
        text_value = memo[value] = naive.isoformat(sep=" ", timespec="microseconds")
    return text_value


@lru_cache(maxsize=16384)
def sqlite_time_text(value: datetime) -> str:
    """A time as SQLite stores it (what _bulk_insert makes of it), for rows made ahead."""
    return _sqlite_time(value, {})


def bulk_time_format(session: Session) -> Callable[[datetime], Any] | None:
    """How rows made ahead for insert_new_versions and insert_index_rows(times_ready=True)
    carry times: None for as they are (PostgreSQL), else the function making them."""
    return None if session.get_bind().dialect.name == "postgresql" else sqlite_time_text


def _bulk_insert(
    session: Session,
    table: str,
    columns: Sequence[str],
    rows: list[tuple[Any, ...]],
    times_ready: bool = False,
) -> None:
    """Straight on the driver (executemany, or COPY on PostgreSQL): no per-row SQLAlchemy
    parameter processing. `times_ready`: times already made as bulk_time_format says."""
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, columns, rows)
        return
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    times = [i for i, c in enumerate(columns) if c in ("last_updated", "low", "high")]
    if times and not times_ready:
        memo: dict[datetime, str] = {}
        rows = [
            tuple(_sqlite_time(v, memo) if i in times else v for i, v in enumerate(row))
            for row in rows
        ]
    session.connection().exec_driver_sql(sql, rows)  # type: ignore[arg-type]


def _copy(
    session: Session, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """PostgreSQL COPY: several times faster than INSERT for thousands of rows. Its errors
    are raised as SQLAlchemy's (IntegrityError, OperationalError …), like any statement's,
    so that callers who handle those see them."""
    driver = session.connection().connection.driver_connection
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
    except psycopg.Error as error:
        raise DBAPIError.instance(statement, None, error, psycopg.Error) from error


_CURRENT_COLUMNS = (
    "res_type",
    "res_id",
    "version",
    "last_updated",
    "deleted",
    "patient_id",
    "person_id",
    "resource",
)
_HISTORY_COLUMNS = ("res_type", "res_id", "version", "last_updated", "method", "resource")
INDEX_COLUMNS = {
    "fhir_token_index": ("serial", "res_type", "param", "system", "code"),
    "fhir_string_index": ("serial", "res_type", "param", "value"),
    "fhir_date_index": ("serial", "res_type", "param", "low", "high"),
    "fhir_reference_index": ("serial", "res_type", "param", "target_type", "target_id"),
}


def _new_serials(
    session: Session, rows: list[tuple[Any, ...]], times_ready: bool = False
) -> list[int]:
    """Insert new resources' current rows (tuples in _CURRENT_COLUMNS order) and return the
    serials they got, in row order. PostgreSQL: taken from the sequence first and copied
    with the rows; SQLite gives consecutive rowids in the write."""
    if not rows:
        return []
    if session.get_bind().dialect.name == "postgresql":
        allocated = session.execute(
            text("SELECT nextval('fhir_resources_serial_seq') FROM generate_series(1, :n)"),
            {"n": len(rows)},
        )
        serials = [row[0] for row in allocated]
        numbered = [(serial, *row) for serial, row in zip(serials, rows, strict=True)]
        _copy(session, "fhir_resources", ("serial", *_CURRENT_COLUMNS), numbered)
        return serials
    _bulk_insert(session, "fhir_resources", _CURRENT_COLUMNS, rows, times_ready)
    # SQLite gives a new row the largest rowid plus one, and this transaction is the only
    # writer: the rows got consecutive rowids. Their ends are checked rather than trusted.
    # On the connection: a session's query could first flush other rows, numbered too.
    connection = session.connection()
    last = connection.exec_driver_sql("SELECT last_insert_rowid()").scalar_one()
    first = last - len(rows) + 1
    ends = connection.exec_driver_sql(
        "SELECT serial, res_type, res_id FROM fhir_resources WHERE serial IN (?, ?)",
        (first, last),
    )
    if {tuple(r) for r in ends} != {(first, *rows[0][:2]), (last, *rows[-1][:2])}:
        raise RuntimeError(f"SQLite rowids {first}..{last} are not the rows just inserted")
    return list(range(first, last + 1))


def insert_current(session: Session, rows: list[dict[str, Any]]) -> list[int]:
    """New resources' current rows; their serials in row order."""
    return _new_serials(session, [tuple(row[c] for c in _CURRENT_COLUMNS) for row in rows])


def insert_new_versions(
    session: Session, current: list[tuple[Any, ...]], history: list[tuple[Any, ...]]
) -> list[int]:
    """Bulk load: rows as tuples in the column order of _CURRENT_COLUMNS and
    _HISTORY_COLUMNS, times made as bulk_time_format says; the new resources' serials in
    row order."""
    serials = _new_serials(session, current, times_ready=True)
    _bulk_insert(session, "fhir_history", _HISTORY_COLUMNS, history, times_ready=True)
    return serials


def update_current(session: Session, row: dict[str, Any], expected_version: int) -> bool:
    """Write the new version only if nobody wrote another one since it was read."""
    result = session.execute(
        _typed(
            "UPDATE fhir_resources SET version = :version, last_updated = :last_updated, "
            "deleted = :deleted, patient_id = :patient_id, person_id = :person_id, "
            f"resource = {_json(session, 'resource')} WHERE res_type = :res_type "
            "AND res_id = :res_id AND version = :expected"
        ),
        {**row, "expected": expected_version},
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


def insert_history(session: Session, rows: list[dict[str, Any]]) -> None:
    _bulk_insert(
        session,
        "fhir_history",
        _HISTORY_COLUMNS,
        [tuple(row[c] for c in _HISTORY_COLUMNS) for row in rows],
    )


def delete_index_rows(session: Session, serials: list[int]) -> None:
    if serials:
        for table in INDEX_TABLES:
            session.execute(
                delete(table).where(table.c.serial == bindparam("owner")),
                [{"owner": serial} for serial in serials],
            )


def insert_index_rows(
    session: Session, rows: dict[str, list[tuple[Any, ...]]], times_ready: bool = False
) -> None:
    for table, columns in INDEX_COLUMNS.items():
        _bulk_insert(session, table, columns, rows.get(table, []), times_ready)


def fetch(session: Session, query: Select[Any]) -> list[Any]:
    """Run a search. On PostgreSQL the plan is made for the actual values: psycopg prepares
    repeated statements, and a generic plan for `code = $1` guesses a common code and
    starts from the token index instead of the patient's few rows."""
    transaction = session.get_transaction()  # None until the first query of the request
    postgresql = session.get_bind().dialect.name == "postgresql"
    if postgresql and (transaction is None or session.info.get("custom_plans") is not transaction):
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        session.info["custom_plans"] = session.get_transaction()
    return list(session.execute(query))


def scalar(session: Session, query: Select[Any]) -> Any:
    return session.execute(query).scalar()


def bodies(session: Session, keys: Iterable[tuple[str, str]]) -> list[tuple[str, str, str]]:
    """Current, not deleted resources by (type, id), for _include and _revinclude."""
    wanted = list(set(keys))
    if not wanted:
        return []
    rows = session.execute(
        select(CURRENT.c.res_type, CURRENT.c.res_id, BODY).where(
            tuple_(CURRENT.c.res_type, CURRENT.c.res_id).in_(wanted), CURRENT.c.deleted.is_(False)
        )
    )
    return [(r[0], r[1], r[2]) for r in rows]


def reference_rows(res_type: str, param: str) -> ColumnElement[bool]:
    """The reference index rows of a search parameter of the type, which may be stored
    under a wider one's name (definitions.REFERENCE_ROWS)."""
    stored = REFERENCE_ROWS[res_type][param]
    clause = REFS.c.param == stored.param
    if len(stored.targets) == 1:
        return and_(clause, REFS.c.target_type == stored.targets[0])
    return and_(clause, REFS.c.target_type.in_(stored.targets)) if stored.targets else clause


def references_from(
    session: Session, res_type: str, ids: list[str], param: str | None
) -> list[tuple[str, str]]:
    query = select(REFS.c.target_type, REFS.c.target_id).where(
        REFS.c.serial == CURRENT.c.serial,
        CURRENT.c.res_type == res_type,
        CURRENT.c.res_id.in_(ids),
        REFS.c.res_type == res_type,
    )
    if param is not None:
        query = query.where(reference_rows(res_type, param))
    return [(r[0], r[1]) for r in session.execute(query)]


def references_to(
    session: Session, source_type: str, param: str, targets: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    query = select(CURRENT.c.res_type, CURRENT.c.res_id).where(
        REFS.c.serial == CURRENT.c.serial,
        tuple_(REFS.c.target_type, REFS.c.target_id).in_(targets),
        REFS.c.res_type == source_type,
        reference_rows(source_type, param),
    )
    return [(r[0], r[1]) for r in session.execute(query)]


def patients_of_people(session: Session, person_ids: list[int]) -> list[str]:
    query = select(CURRENT.c.res_id).where(
        CURRENT.c.person_id.in_(person_ids),
        CURRENT.c.res_type == "Patient",
        CURRENT.c.deleted.is_(False),
    )
    return list(session.scalars(query))


def people_of_patients(session: Session, patient_ids: list[str]) -> list[int]:
    query = select(CURRENT.c.person_id).where(
        CURRENT.c.res_type == "Patient",
        CURRENT.c.res_id.in_(patient_ids),
        CURRENT.c.person_id.is_not(None),
    )
    return [p for p in session.scalars(query) if p is not None]


def compartment(
    session: Session,
    patient_ids: list[str],
    since: datetime | None,
    window: tuple[datetime, datetime] | None,
) -> list[tuple[str, str, str]]:
    """Everything in these patients' compartments (the Patients themselves first)."""
    query = select(CURRENT.c.res_type, CURRENT.c.res_id, BODY).where(
        CURRENT.c.patient_id.in_(patient_ids), CURRENT.c.deleted.is_(False)
    )
    if since is not None:
        query = query.where(CURRENT.c.last_updated >= since)
    if window is not None:
        dated = select(DATES.c.row_id).where(DATES.c.serial == CURRENT.c.serial)
        within = dated.where(DATES.c.low < window[1], DATES.c.high > window[0])
        # Resources without any date are kept: the window cannot say they are outside it.
        query = query.where(or_(CURRENT.c.res_type == "Patient", within.exists(), ~dated.exists()))
    order = (CURRENT.c.res_type != "Patient", CURRENT.c.res_type, CURRENT.c.serial)
    return [(r[0], r[1], r[2]) for r in session.execute(query.order_by(*order))]


def get_current_many(
    session: Session, ids: Mapping[str, Sequence[str]]
) -> dict[tuple[str, str], Current]:
    """The current versions of many resources (ids by type) in one query; absent ones left
    out. The query asks for every id under every type and drops the pairs not wanted."""
    if not ids:
        return {}
    every_id = sorted({res_id for res_ids in ids.values() for res_id in res_ids})
    rows = session.execute(
        select(CURRENT.c.res_type, CURRENT.c.res_id, *_CURRENT_FIELDS).where(
            CURRENT.c.res_type.in_(sorted(ids)), CURRENT.c.res_id.in_(every_id)
        )
    )
    wanted = {(t, i) for t, res_ids in ids.items() for i in res_ids}
    return {
        (r[0], r[1]): Current(r[2], r[3], r[4], bool(r[5]), r[6], r[7], r[8])
        for r in rows
        if (r[0], r[1]) in wanted
    }
