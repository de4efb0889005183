"""`yteso claims submit`: a facility's files back-filled by several processes, each file as
if its HIS had sent it to the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.claims.samples import all_episodes
from tests.helpers import add_facility
from yteso.claims import backfill, new_envelope, write_envelope
from yteso.claims.models import ClaimEpisode
from yteso.cli import app
from yteso.core.audit.models import AuditEvent
from yteso.core.errors import Conflict
from yteso.core.settings import Settings

runner = CliRunner()


def _files(folder: Path) -> list[str]:
    """Four files of facility 19001 and one of 19002 (out of the command's scope)."""
    paths = []
    for n, sample in enumerate(all_episodes()[:5]):
        facility = "19001" if n < 4 else "19002"
        sample.records("XML1")[0]["MA_CSKCB"] = facility
        path = folder / f"{n}.xml"
        path.write_bytes(write_envelope(new_envelope(facility, "20250301", [sample])))
        paths.append(str(path))
    return paths


@pytest.mark.usefixtures("client")
def test_files_are_taken_by_two_processes_and_a_bad_one_is_reported(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_facility(db, "19001")
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    files = _files(tmp_path)
    command = ["claims", "submit", *files, "--facility", "19001", "--workers", "2"]
    result = runner.invoke(app, command)
    assert result.exit_code == 1, result.output
    assert "4.xml" in result.output and "FACILITY_SCOPE" in result.output
    assert "5 tệp" in result.output and "4 tiếp nhận" in result.output
    assert db.scalar(select(func.count()).select_from(ClaimEpisode)) == 4
    submits = db.scalars(select(AuditEvent).where(AuditEvent.action == "submit")).all()
    assert sorted(e.outcome for e in submits) == ["failure"] + ["success"] * 4
    # The folder instead of the files (and a file that is not XML, left alone).
    (tmp_path / "notes.txt").write_text("không phải hồ sơ", encoding="utf-8")
    again = runner.invoke(app, ["claims", "submit", str(tmp_path), "--facility", "19001"])
    assert "5 tệp" in again.output and "4 không đổi" in again.output
    assert again.exit_code == 1


def test_an_unknown_facility_is_refused_before_any_file(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    result = runner.invoke(app, ["claims", "submit", *_files(tmp_path), "--facility", "99999"])
    assert result.exit_code == 1 and "99999" in result.output


@pytest.mark.parametrize(
    "failures",
    [
        [IntegrityError("INSERT", None, Exception("unique")), Conflict("gửi lại")],
        [OSError("đĩa lỗi")],
    ],
    ids=["a race lost twice", "another error"],
)
def test_a_file_that_keeps_failing_is_reported_not_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failures: list[Exception]
) -> None:
    path = tmp_path / "a.xml"
    path.write_bytes(b"<GIAMDINHHS/>")
    raised = iter(failures)

    def fail(*_args: object) -> backfill.FileOutcome:
        raise next(raised)

    monkeypatch.setattr(backfill, "_submit_once", fail)
    outcome = backfill._submit_alone(str(path), "19001")
    assert outcome.outcome == "failed" and outcome.problems
