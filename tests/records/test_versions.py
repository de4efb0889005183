"""Each version's body is stored once: the current one in fhir_resources only, an older one
in its history row (copied there when it was superseded)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.records import fixtures as fx
from yteso.core.auth import ClientKind, Principal
from yteso.records import FhirError, service
from yteso.records.access import Caller

CALLER = Caller(Principal("client", "t", "test", ClientKind.HIS, "19001"), None, None, "urn:t")


def bodies_kept(db: Session, res_id: str) -> dict[int, bool]:
    """Whether each history row of the resource holds a body of its own."""
    rows = db.execute(
        text("SELECT version, resource IS NOT NULL FROM fhir_history WHERE res_id = :i"),
        {"i": res_id},
    )
    return {row[0]: bool(row[1]) for row in rows}


def vread(db: Session, res_id: str, version: int) -> dict[str, Any]:
    return orjson.loads(service.vread(db, CALLER, "Patient", res_id, version).body)


def listed(db: Session, res_id: str) -> list[tuple[int, str, Any]]:
    rows = service.history(db, CALLER, "Patient", res_id, None, 10, 0)
    return [(r[2], r[4], orjson.loads(r[5]) if r[5] else None) for r in rows]


def test_each_body_is_stored_once_and_every_version_reads_back(db: Session) -> None:
    _status, first = service.create(db, CALLER, {**fx.patient(), "id": "v-1"}, keep_id=True)
    assert bodies_kept(db, "v-1") == {1: False}
    assert vread(db, "v-1", 1)["active"] is True

    changed = {**orjson.loads(first.body), "active": False}
    service.update(db, CALLER, "Patient", "v-1", changed)
    assert bodies_kept(db, "v-1") == {1: True, 2: False}
    assert (vread(db, "v-1", 1)["active"], vread(db, "v-1", 2)["active"]) == (True, False)
    assert [(v, m, b["active"]) for v, m, b in listed(db, "v-1")] == [
        (2, "PUT", False),
        (1, "POST", True),
    ]


def test_a_delete_keeps_the_last_body_and_has_none_of_its_own(db: Session) -> None:
    service.create(db, CALLER, {**fx.patient(), "id": "v-2"}, keep_id=True)
    service.delete(db, CALLER, "Patient", "v-2")
    assert bodies_kept(db, "v-2") == {1: True, 2: False}
    with pytest.raises(FhirError) as gone:
        service.vread(db, CALLER, "Patient", "v-2", 2)
    assert gone.value.status == 410
    assert vread(db, "v-2", 1)["id"] == "v-2"

    # Written again after the delete: the delete's row stays without a body, although the
    # current row it was superseded in still held the last one.
    service.update(db, CALLER, "Patient", "v-2", {**fx.patient(), "id": "v-2", "active": False})
    assert bodies_kept(db, "v-2") == {1: True, 2: False, 3: False}
    assert [(v, m, b and b["active"]) for v, m, b in listed(db, "v-2")] == [
        (3, "PUT", False),
        (2, "DELETE", None),
        (1, "POST", True),
    ]


def test_rows_that_hold_the_current_body_twice_read_and_update_alike(db: Session) -> None:
    """As every store written before bodies were kept once."""
    _status, first = service.create(db, CALLER, {**fx.patient(), "id": "v-3"}, keep_id=True)
    db.execute(
        text(
            "UPDATE fhir_history SET resource = (SELECT resource FROM fhir_resources "
            "WHERE res_id = 'v-3') WHERE res_id = 'v-3'"
        )
    )
    assert vread(db, "v-3", 1)["active"] is True
    service.update(db, CALLER, "Patient", "v-3", {**orjson.loads(first.body), "active": False})
    assert (vread(db, "v-3", 1)["active"], vread(db, "v-3", 2)["active"]) == (True, False)
