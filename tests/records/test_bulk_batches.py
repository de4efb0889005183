"""import_ndjson across several batches, in this process and with a second one preparing."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.records import fixtures as fx
from yteso import patients
from yteso.core.auth import ClientKind, Principal
from yteso.records import FhirError, validation
from yteso.records.access import Caller
from yteso.records.bulk import import_ndjson

CALLER = Caller(Principal("client", "t", "test", ClientKind.HIS, "19001"), None, None, "urn:t")


def lines(*resources: dict[str, Any]) -> list[bytes]:
    return [orjson.dumps(r) for r in resources]


def scalars(db: Session, sql: str) -> list[Any]:
    return list(db.execute(text(sql)).scalars())


@pytest.mark.parametrize("processes", [0, 1])
def test_batches_repeats_and_updates(db: Session, processes: int) -> None:
    first = {**fx.patient(), "id": "bn-1"}
    observation = {**fx.observation("bn-1"), "id": "obs-1"}
    changed = {**observation, "status": "amended"}
    no_id = fx.condition("bn-1")
    no_id.pop("id", None)
    # Batches of 2: obs-1 is new then repeated in the second batch, then again in the third.
    source = lines(first, no_id, observation, changed, {**changed, "status": "corrected"})
    result = import_ndjson(db, CALLER, source, batch_size=2, processes=processes)
    db.commit()
    assert (result.created, result.updated) == (3, 2)
    assert scalars(db, "SELECT version FROM fhir_resources WHERE res_id = 'obs-1'") == [3]
    assert sorted(scalars(db, "SELECT version FROM fhir_history WHERE res_id = 'obs-1'")) == [
        1,
        2,
        3,
    ]
    statuses = scalars(
        db,
        "SELECT code FROM fhir_token_index t JOIN fhir_resources r ON r.serial = t.serial "
        "WHERE r.res_id = 'obs-1' AND param = 'status'",
    )
    assert statuses == ["corrected"]  # the index holds the last version only
    assert len(scalars(db, "SELECT res_id FROM fhir_resources WHERE res_type = 'Condition'")) == 1

    again = import_ndjson(db, CALLER, lines(first), processes=processes)
    db.commit()
    assert (again.created, again.updated) == (0, 1)


def test_patients_of_a_batch_are_linked_together_and_to_known_people(db: Session) -> None:
    known = {**fx.patient("019190001111", bhyt=None), "id": "bn-known"}
    import_ndjson(db, CALLER, lines(known))
    db.commit()
    twins = [{**fx.patient("019190002222", bhyt=None), "id": f"bn-{n}"} for n in ("a", "b")]
    again = {**fx.patient("019190001111", bhyt=None), "id": "bn-again"}
    import_ndjson(db, CALLER, lines(*twins, again))
    db.commit()
    rows = db.execute(
        text("SELECT res_id, person_id FROM fhir_resources WHERE res_type = 'Patient'")
    )
    people = {row[0]: row[1] for row in rows}
    assert people["bn-a"] == people["bn-b"] is not None
    assert people["bn-again"] == people["bn-known"] is not None
    assert people["bn-a"] != people["bn-known"]
    found = patients.people_by_identifiers(
        db,
        [
            (patients.IdentifierKind.NATIONAL_ID, "019190001111"),
            (patients.IdentifierKind.NATIONAL_ID, "000000000000"),
        ],
    )
    assert found == {(patients.IdentifierKind.NATIONAL_ID, "019190001111"): people["bn-known"]}


@pytest.mark.parametrize("processes", [0, 1])
def test_problems_in_any_batch_write_nothing(db: Session, processes: int) -> None:
    bad_date = {**fx.observation("bn-1"), "effectiveDateTime": "2025-13-45"}
    source = lines(fx.patient(), fx.organization(), fx.condition("bn-1"), bad_date)
    with pytest.raises(FhirError) as raised:
        import_ndjson(db, CALLER, [*source, b"{broken"], batch_size=2, processes=processes)
    db.rollback()
    where = [issue.expression or "" for issue in raised.value.issues]
    assert [w.split(":")[0] for w in where] == ["dòng 4", "dòng 5"]
    assert scalars(db, "SELECT count(*) FROM fhir_resources") == [0]


@pytest.mark.parametrize(
    ("line", "fine"),
    [
        (b'{"subject": {"reference": "Patient/bn-1"}}', True),
        (b'{"subject":{"reference":"Patient/bn-1/_history/2"}}', True),
        (b'{"subject":{"reference":"urn:uuid:123e4567-e89b-12d3-a456-426614174000"}}', True),
        (b'{"subject":{"reference":"Patient/bn 1"}}', False),
        (b'{"subject":{"reference":"patient/bn-1"}}', False),
        ('{"subject":{"reference":"https://vídụ.vn/Patient/1"}}'.encode(), True),
    ],
)
def test_references_are_checked_on_the_line_text(line: bytes, fine: bool) -> None:
    assert validation._references_look_fine(line) is fine
