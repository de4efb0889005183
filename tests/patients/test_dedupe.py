from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sqlalchemy.orm import Session
from typer.testing import CliRunner

from yteso.cli import app
from yteso.patients.cli import current_communes
from yteso.patients.dedupe import dedupe
from yteso.patients.features import RawRecord
from yteso.reference.crosswalk import read_crosswalk, record_crosswalk
from yteso.synth.duplicates import CSV_COLUMNS, generate_messy_records


def _pairs(labels: list[object]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def test_messy_population_is_deduplicated_precisely() -> None:
    records = generate_messy_records(6000, seed=11)
    result = dedupe(RawRecord(**r.row()) for r in records)
    truth = [r.person for r in records]
    together = _pairs(list(zip(result.person_ids, truth, strict=True)))
    precision = together / _pairs(list(result.person_ids))
    recall = together / _pairs(list(truth))
    assert precision >= 0.998, precision
    assert recall >= 0.98, recall


def _write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)


def test_batch_command_keeps_the_csv_contract(tmp_path: Path) -> None:
    records = generate_messy_records(300, seed=2)
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    rows = [{**r.row(), "note": "ignored"} for r in records]
    rows.append({"record_id": "bad", "full_name": "Hà", "birth_date": "", "cccd": "123"})
    _write(source, rows, (*CSV_COLUMNS, "note"))
    outcome = CliRunner().invoke(app, ["mpi", "dedupe", str(source), "--out", str(target)])
    assert outcome.exit_code == 0, outcome.output
    with target.open(encoding="utf-8") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["record_id", "person_id"]
    assert [row[0] for row in written[1:]] == [row["record_id"] for row in rows]
    person_of = {row[0]: row[1] for row in written[1:]}
    assert list(person_of.values()).count(person_of["bad"]) == 1
    found = [person_of[r.record_id] for r in records]
    truth = [r.person for r in records]
    assert _pairs(list(zip(found, truth, strict=True))) >= 0.95 * _pairs(list(truth))
    assert _pairs(list(zip(found, truth, strict=True))) == _pairs(found)


def test_batch_command_refuses_input_without_record_id(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    _write(source, [{"full_name": "Nguyễn Văn An"}], ("full_name",))
    outcome = CliRunner().invoke(app, ["mpi", "dedupe", str(source), "--out", str(tmp_path / "o")])
    assert outcome.exit_code == 1
    assert "record_id" in outcome.output


def test_old_commune_codes_are_mapped_through_the_crosswalk(db: Session) -> None:
    record_crosswalk(db, read_crosswalk("old_code,old_name,new_code\n05445,Xã Cũ,05443\n"))
    assert current_communes(db, ["05445", "05443", "99999"]) == {
        "05445": "05443",
        "05443": "05443",
    }
    assert current_communes(None, ["05445", "05443"]) == {"05443": "05443"}
    old, new = (
        RawRecord("a", "Nguyễn Văn An", "1980", "1", commune_code=code)
        for code in ("05445", "05443")
    )
    mapping = current_communes(db, ["05445", "05443"])
    result = dedupe([old, new], commune_of=mapping.get)
    assert result.records[0].commune == result.records[1].commune == "05443"
