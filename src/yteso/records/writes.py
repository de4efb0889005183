"""Turning resources into rows, and writing many of them with one executemany per table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from yteso.records import repository
from yteso.records.indexing import IndexRows, compartment_patient, index_rows
from yteso.records.outcome import FhirError, Issue


@dataclass
class Stored:
    """A resource version as written or read: the body stays JSON text."""

    res_type: str
    res_id: str
    version: int
    last_updated: datetime
    body: str
    deleted: bool = False

    @property
    def etag(self) -> str:
        return f'W/"{self.version}"'


def meta_time(now: datetime) -> str:
    """meta.lastUpdated as written."""
    return now.isoformat().replace("+00:00", "Z")


def set_meta(resource: dict[str, Any], res_id: str, version: int, now: datetime) -> None:
    resource["id"] = res_id
    meta = resource.setdefault("meta", {})
    meta["versionId"] = str(version)
    meta["lastUpdated"] = meta_time(now)


def current_row(
    resource: dict[str, Any], version: int, now: datetime, person_id: int | None
) -> dict[str, Any]:
    return {
        "res_type": resource["resourceType"],
        "res_id": resource["id"],
        "version": version,
        "last_updated": now,
        "deleted": False,
        "patient_id": compartment_patient(resource),
        "person_id": person_id,
        "resource": orjson.dumps(resource).decode(),
    }


Key = tuple[str, str]  # (res_type, res_id)


@dataclass
class Pending:
    """Rows waiting to be written together (a transaction Bundle, an import batch)."""

    current: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    index: list[tuple[Key, IndexRows]] = field(default_factory=list)
    # Serials of the stored resources changed here (updated, deleted): their index rows are
    # replaced. New resources get theirs when written.
    serials: dict[Key, int] = field(default_factory=dict)
    # Created resources (type, id, patient) to audit together once written.
    created: list[tuple[str, str, str | None]] = field(default_factory=list)
    updated: list[tuple[str, str, str | None]] = field(default_factory=list)

    def add_history(self, row: dict[str, Any], method: str) -> None:
        """The version's history row, without its body while it is the current one
        (records.versions)."""
        self.history.append(
            {
                "res_type": row["res_type"],
                "res_id": row["res_id"],
                "version": row["version"],
                "last_updated": row["last_updated"],
                "method": method,
                "resource": None,
            }
        )

    def add_index(self, resource: dict[str, Any]) -> None:
        try:
            rows = index_rows(resource)
        except ValueError as error:
            raise FhirError(
                400, [Issue("error", "value", str(error), resource["resourceType"])]
            ) from None
        self.index.append(((resource["resourceType"], resource["id"]), rows))

    def __len__(self) -> int:
        return len(self.history)

    def flush(self, session: Session) -> None:
        repository.delete_index_rows(session, list(self.serials.values()))
        created = repository.insert_current(session, self.current)
        repository.insert_history(session, self.history)
        serials = dict(self.serials)
        serials.update(
            ((row["res_type"], row["res_id"]), serial)
            for row, serial in zip(self.current, created, strict=True)
        )
        repository.insert_index_rows(
            session, index_tuples((serials[key], key[0], rows) for key, rows in self.index)
        )
        self.current, self.history, self.index, self.serials = [], [], [], {}


def index_tuples(
    owned: Iterable[tuple[int, str, IndexRows]],
) -> dict[str, list[tuple[Any, ...]]]:
    """Index rows by table, as tuples in repository.INDEX_COLUMNS order, from each
    resource's (serial, type, rows)."""
    tokens: list[tuple[Any, ...]] = []
    strings: list[tuple[Any, ...]] = []
    dates: list[tuple[Any, ...]] = []
    refs: list[tuple[Any, ...]] = []
    for serial, res_type, rows in owned:
        tokens += [(serial, res_type, *row) for row in rows.tokens]
        strings += [(serial, res_type, *row) for row in rows.strings]
        dates += [(serial, res_type, *row) for row in rows.dates]
        refs += [(serial, res_type, *row) for row in rows.refs]
    return {
        "fhir_token_index": tokens,
        "fhir_string_index": strings,
        "fhir_date_index": dates,
        "fhir_reference_index": refs,
    }
