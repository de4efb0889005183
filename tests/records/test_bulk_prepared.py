"""Rows made ahead of the transaction's first write (prepare_import), written later in it
(import_prepared): the entry for modules that hold their resources as dicts."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import orjson
import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tests.records import fixtures as fx
from yteso.core.auth import ClientKind, Principal
from yteso.core.db import utcnow
from yteso.records import (
    FACILITY_TAG_SYSTEM,
    FhirError,
    bulk,
    import_prepared,
    prepare_import,
    repository,
    run_search,
)
from yteso.records.access import Caller

CALLER = Caller(Principal("client", "t", "test", ClientKind.HIS, "19001"), None, None, "urn:t")


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def remember(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", remember)


def test_rows_are_made_without_a_statement_then_written(db: Session, engine: Engine) -> None:
    patient = {**fx.patient(), "id": "pi-1"}
    observations = [{**fx.observation("pi-1"), "id": f"pi-obs-{n}"} for n in range(3)]
    with statements(engine) as seen:
        prepared = prepare_import(db, CALLER, [patient, *observations], batch_size=2)
    assert seen == []
    result = import_prepared(db, CALLER, prepared)
    db.commit()
    assert (result.created, result.updated) == (4, 0)
    page = run_search(db, CALLER, "", "Observation", [("subject", "Patient/pi-1")], strict=True)
    found = [orjson.loads(orjson.dumps(entry["resource"])) for entry in page["entry"]]
    assert sorted(r["id"] for r in found) == ["pi-obs-0", "pi-obs-1", "pi-obs-2"]
    # The dicts were taken over: stamped with the facility and given their meta.
    assert observations[0]["meta"]["versionId"] == "1"
    assert {"system": FACILITY_TAG_SYSTEM, "code": "19001"} in observations[0]["meta"]["tag"]


def test_a_stored_id_becomes_an_update(db: Session) -> None:
    first = {**fx.observation("pi-2"), "id": "pi-obs"}
    import_prepared(db, CALLER, prepare_import(db, CALLER, [{**fx.patient(), "id": "pi-2"}, first]))
    db.commit()
    changed = {**fx.observation("pi-2"), "id": "pi-obs", "status": "amended"}
    result = import_prepared(db, CALLER, prepare_import(db, CALLER, [changed]))
    db.commit()
    assert (result.created, result.updated) == (0, 1)
    version = db.execute(text("SELECT version FROM fhir_resources WHERE res_id = 'pi-obs'"))
    assert version.scalar() == 2


def test_problems_are_named_by_position_and_nothing_is_written(db: Session) -> None:
    bad_date = {**fx.observation("pi-3"), "effectiveDateTime": "2025-13-45"}
    not_a_type = {"resourceType": "Nonsense", "id": "x"}
    prepared = prepare_import(
        db, CALLER, [{**fx.patient(), "id": "pi-3"}, bad_date, not_a_type], batch_size=2
    )
    with pytest.raises(FhirError) as raised:
        import_prepared(db, CALLER, prepared)
    db.rollback()
    where = [(issue.expression or "").split(":")[0] for issue in raised.value.issues]
    assert where == ["dòng 2", "dòng 3"]
    assert db.execute(text("SELECT count(*) FROM fhir_resources")).scalar() == 0


def test_patients_take_the_persons_the_caller_matched(db: Session) -> None:
    known = {**fx.patient("019190003333", bhyt=None), "id": "pi-known"}
    import_prepared(db, CALLER, prepare_import(db, CALLER, [known]))
    db.commit()
    person = db.execute(text("SELECT person_id FROM fhir_resources WHERE res_id = 'pi-known'"))
    matched = person.scalar()
    # Another identifier: linking by identifier would have made a new person.
    other = {**fx.patient("019190004444", bhyt=None), "id": "pi-other"}
    import_prepared(db, CALLER, prepare_import(db, CALLER, [other]), {"pi-other": matched})
    db.commit()
    linked = db.execute(text("SELECT person_id FROM fhir_resources WHERE res_id = 'pi-other'"))
    assert matched is not None and linked.scalar() == matched


def test_a_row_already_stored_fails_as_an_integrity_error(db: Session) -> None:
    """PostgreSQL's COPY raises the driver's own errors: they come out as SQLAlchemy's, so
    callers that run an intake again after a race recognise them."""
    now = repository.bulk_time_format(db)
    stamp = now(utcnow()) if now else utcnow()
    row = ("Observation", "pi-twice", 1, stamp, False, None, None, '{"resourceType":"Observation"}')
    history = ("Observation", "pi-twice", 1, stamp, "POST", row[-1])
    repository.insert_new_versions(db, [row], [history])
    with pytest.raises(IntegrityError):
        repository.insert_new_versions(db, [row], [history])
    db.rollback()


def test_statistics_are_refreshed_inside_the_load_only_where_nothing_else_does(
    db: Session, engine: Engine
) -> None:
    """SQLite has nobody else to refresh them; PostgreSQL's autovacuum does, in the
    background, and ANALYZE inside small loads would queue them on its table lock."""
    resources = [{**fx.patient(), "id": "pi-st"}, {**fx.observation("pi-st"), "id": "pi-st-o"}]
    with statements(engine) as seen:
        import_prepared(db, CALLER, prepare_import(db, CALLER, resources))
    analyzed = any(s.lstrip().upper().startswith("ANALYZE") for s in seen)
    assert analyzed == (engine.dialect.name == "sqlite")


def test_rows_made_ahead_are_stamped_when_written(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not when they were made: a writer that committed meanwhile must not look later."""
    prepared = prepare_import(db, CALLER, [{**fx.patient(), "id": "pi-late"}])
    written = utcnow() + timedelta(seconds=5)
    monkeypatch.setattr(bulk, "utcnow", lambda: written)
    import_prepared(db, CALLER, prepared)
    db.commit()
    stored = repository.get_current(db, "Patient", "pi-late")
    assert stored is not None and stored.last_updated == written
    assert orjson.loads(stored.body)["meta"]["lastUpdated"] == written.isoformat().replace(
        "+00:00", "Z"
    )
    # The very instant it was stamped: ge, le and eq find it, gt and lt do not.
    for prefix, found in [("ge", True), ("gt", False), ("le", True), ("lt", False), ("eq", True)]:
        since = [("_lastUpdated", f"{prefix}{written.isoformat()}")]
        page = run_search(db, CALLER, "", "Patient", since, strict=True)
        assert len(page.get("entry") or []) == found, prefix
