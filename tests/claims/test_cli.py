"""`yteso claims validate` and `yteso claims generate`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from yteso.claims import FINDING_KEYS
from yteso.claims.validator import validate_file
from yteso.cli import app

runner = CliRunner()


def test_generate_then_validate(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["claims", "generate", "--episodes", "12", "--seed", "4", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(str(p) for p in tmp_path.glob("*.xml"))
    assert len(files) == 12
    result = runner.invoke(app, ["claims", "validate", *files])
    assert result.exit_code == 0, result.output


def test_faulty_files_exit_1_with_json_report(tmp_path: Path) -> None:
    runner.invoke(
        app,
        [
            "claims",
            "generate",
            "--episodes",
            "30",
            "--seed",
            "4",
            "--faults",
            "--out",
            str(tmp_path),
        ],
    )
    faults = json.loads((tmp_path / "faults.json").read_text(encoding="utf-8"))
    assert faults
    name, rules = next(iter(faults.items()))
    result = runner.invoke(app, ["claims", "validate", str(tmp_path / name), "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert all(tuple(f) == FINDING_KEYS for f in report)
    assert set(rules) <= {f["rule"] for f in report}
    # Each file's errors are exactly its manifest's: a fault breaks nothing else (NGAYLAP…).
    for path in sorted(tmp_path.glob("*.xml")):
        errors = {f.rule for f in validate_file(path) if f.severity == "error"}
        assert errors == set(faults.get(path.name, [])), path.name


def test_hostile_file_is_reported_in_text(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text('<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>')
    result = runner.invoke(app, ["claims", "validate", str(path)])
    assert result.exit_code == 1
    assert "XML_FORBIDDEN" in result.stdout


def test_batch_and_single_table_files(tmp_path: Path) -> None:
    from tests.claims.samples import all_episodes
    from yteso.claims import new_envelope, write_batch, write_document

    episodes = all_episodes()[:6]
    for sample in episodes:
        sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    batch = tmp_path / "batch.xml"
    batch.write_bytes(
        write_batch(
            [
                new_envelope("19001", "20250301", episodes[:3]),
                new_envelope("19001", "20250301", episodes[3:]),
            ]
        )
    )
    table = tmp_path / "xml2.xml"
    table.write_bytes(write_document(episodes[0].tables("XML2")[0]))
    result = runner.invoke(app, ["claims", "validate", str(batch), str(table)])
    assert result.exit_code == 0, result.output
    assert "2 tệp: 0 lỗi" in result.output
