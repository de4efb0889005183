"""Turning resources into rows, and writing many of them with one executemany per table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy.orm import Session

from yteso.records import repository
from yteso.records.indexing import compartment_patient, index_rows
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


@dataclass
class Pending:
    """Rows waiting to be written together (a transaction Bundle, an import batch)."""

    current: list[dict[str, Any]] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)
    stale_index: list[dict[str, str]] = field(default_factory=list)
    index: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
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
        key = (resource["resourceType"], resource["id"])
        add = self.index.setdefault
        # Tuples in the column order of repository.INDEX_COLUMNS.
        add("fhir_token_index", []).extend((*key, *row) for row in rows.tokens)
        add("fhir_string_index", []).extend((*key, *row) for row in rows.strings)
        add("fhir_date_index", []).extend((*key, *row) for row in rows.dates)
        add("fhir_reference_index", []).extend((*key, *row) for row in rows.refs)

    def __len__(self) -> int:
        return len(self.history)

    def flush(self, session: Session) -> None:
        repository.delete_index_rows(session, self.stale_index)
        repository.insert_current(session, self.current)
        repository.insert_history(session, self.history)
        repository.insert_index_rows(session, self.index)
        self.current, self.history, self.stale_index, self.index = [], [], [], {}
