"""Small files of one facility taken together (group_intake): each file's result, raw file,
versions and resources as if it had been taken alone, or None and nothing written."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.claims.samples import all_episodes, his
from tests.helpers import add_facility
from yteso.claims import Episode, backfill, new_envelope, write_envelope
from yteso.claims.fhir_mapping import map_episode
from yteso.claims.group_intake import submit_together
from yteso.claims.models import ClaimDocument, ClaimEpisode
from yteso.cli import app
from yteso.core.audit.models import AuditEvent
from yteso.core.settings import Settings
from yteso.records import Caller, service

SOURCE = "urn:yteso:claims:"


def _samples(count: int) -> list[Episode]:
    samples = all_episodes()[:count]
    for sample in samples:
        sample.records("XML1")[0]["MA_CSKCB"] = "19001"
    return samples


def _raw(sample: Episode, facility: str = "19001") -> bytes:
    return write_envelope(new_envelope(facility, "20250301", [sample]))


def _count(db: Session, sql: str) -> int:
    return int(db.execute(text(sql)).scalar() or 0)


@pytest.fixture(autouse=True)
def _facility(db: Session) -> None:
    add_facility(db, "19001")


def test_files_taken_together_are_each_as_if_taken_alone(db: Session) -> None:
    samples = _samples(4)
    files = [(_raw(s), f"{n}.xml") for n, s in enumerate(samples)]
    results = submit_together(db, files, "19001", his())
    db.commit()
    assert results is not None
    assert [r.outcome for r in results] == ["accepted"] * 4
    for (raw, _name), sample, result in zip(files, samples, results, strict=True):
        document = db.scalars(
            select(ClaimDocument).where(ClaimDocument.transaction_id == result.transaction_id)
        ).one()
        assert document.content == raw and document.episode_count == 1
        assert [(e.ma_lk, e.version, e.change) for e in result.episodes] == [
            (sample.ma_lk, 1, "new")
        ]
        # The resources the mapping makes, each with its own file's source.
        source = SOURCE + result.transaction_id
        mapped = map_episode("19001", sample, source)
        expected = {(r["resourceType"], r["id"]) for r in [mapped.patient, *mapped.resources]}
        assert expected <= _all_resources(db)
        encounter = service.read(db, his(), "Encounter", f"19001-{sample.ma_lk}")
        assert orjson.loads(encounter.body)["meta"]["source"] == source
    patients = len({s.records("XML1")[0]["MA_BN"] for s in samples})
    linked = "SELECT count(*) FROM fhir_resources WHERE res_type = 'Patient' AND person_id > 0"
    assert _count(db, linked) == patients
    created = db.scalars(
        select(AuditEvent.resource_id).where(
            AuditEvent.action == "create", AuditEvent.resource_type == "Patient"
        )
    ).all()
    assert len(set(created)) == patients


def _all_resources(db: Session) -> set[tuple[str, str]]:
    rows = db.execute(text("SELECT res_type, res_id FROM fhir_resources")).all()
    return {(row[0], row[1]) for row in rows}


def test_a_refused_file_among_them_is_refused_alone(db: Session) -> None:
    samples = _samples(3)
    files = [(_raw(samples[0]), "a.xml"), (_raw(samples[1], "19002"), "b.xml")]
    files.append((_raw(samples[2]), "c.xml"))
    results = submit_together(db, files, "19001", his())
    db.commit()
    assert results is not None
    assert [r.outcome for r in results] == ["accepted", "rejected", "accepted"]
    assert {f.rule for f in results[1].findings} >= {"FACILITY_SCOPE"}
    assert db.scalar(select(func.count()).select_from(ClaimDocument)) == 2
    assert {e.ma_lk for e in db.scalars(select(ClaimEpisode))} == {
        samples[0].ma_lk,
        samples[2].ma_lk,
    }


def test_files_that_cannot_go_together_write_nothing(db: Session) -> None:
    samples = _samples(2)
    resent = _samples(2)[0]
    resent.records("XML1")[0]["CAN_NANG"] = "61.5"  # the same MA_LK, changed
    files = [(_raw(samples[0]), "a.xml"), (_raw(samples[1]), "b.xml"), (_raw(resent), "c.xml")]
    assert submit_together(db, files, "19001", his()) is None
    twice = [(_raw(samples[0]), "a.xml"), (_raw(samples[0]), "a-copy.xml")]
    assert submit_together(db, twice, "19001", his()) is None
    db.commit()
    assert db.scalar(select(func.count()).select_from(ClaimDocument)) == 0
    assert _count(db, "SELECT count(*) FROM fhir_resources") == 0


def test_a_refusal_by_the_store_sends_them_one_by_one(db: Session) -> None:
    """Only the file alone can say which of its resources the store refused."""
    samples = _samples(2)
    add_facility(db, "19002", name="Trung tâm Y tế Thử nghiệm")
    other = Caller(his("19002").principal, None)
    taken = f"19001-{samples[1].ma_lk}"  # another facility holds the id of its Encounter
    encounter = {"resourceType": "Encounter", "id": taken, "status": "planned"}
    service.update(db, other, "Encounter", taken, {**encounter, "class": {"code": "AMB"}})
    db.commit()
    files = [(_raw(s), f"{n}.xml") for n, s in enumerate(samples)]
    assert submit_together(db, files, "19001", his()) is None
    db.commit()
    assert db.scalar(select(func.count()).select_from(ClaimDocument)) == 0
    assert _count(db, "SELECT count(*) FROM fhir_resources") == 1  # the other's Encounter


@pytest.mark.usefixtures("client")
def test_the_command_takes_small_files_together_and_the_rest_alone(
    db: Session, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    samples = _samples(3)
    resent = _samples(1)[0]
    resent.records("XML1")[0]["CAN_NANG"] = "61.5"
    paths = []
    for n, sample in enumerate([*samples, resent]):
        paths.append(tmp_path / f"{n}.xml")
        paths[-1].write_bytes(_raw(sample))
    result = CliRunner().invoke(app, ["claims", "submit", str(tmp_path), "--facility", "19001"])
    assert result.exit_code == 0, result.output
    assert "4 tệp" in result.output and "4 tiếp nhận" in result.output
    # The resend of the first MA_LK kept them apart: its version 2 is the current one.
    versions = db.execute(
        select(ClaimEpisode.version, ClaimEpisode.is_current).where(
            ClaimEpisode.ma_lk == samples[0].ma_lk
        )
    ).all()
    assert sorted((v, bool(c)) for v, c in versions) == [(1, False), (2, True)]


def test_small_files_are_grouped_in_order_around_a_big_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backfill, "SMALL_FILE", 10)
    monkeypatch.setattr(backfill, "GROUP_FILES", 2)
    monkeypatch.setattr(backfill, "GROUP_BYTES", 16)
    sizes = {"a": 5, "b": 5, "c": 5, "big": 100, "d": 9, "e": 9, "f": 1}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b"x" * size)
    paths = [tmp_path / name for name in [*sizes, "gone"]]  # "gone" was removed meanwhile
    groups = [[Path(p).name for p in group] for group in backfill._groups(paths)]
    # d and e together would hold 18 bytes, over GROUP_BYTES.
    assert groups == [["a", "b"], ["c"], ["big"], ["d"], ["e", "f"], ["gone"]]


def test_a_group_is_audited_as_one_import_and_each_file_as_itself(db: Session) -> None:
    files = [(_raw(s), f"{n}.xml") for n, s in enumerate(_samples(3))]
    results = submit_together(db, files, "19001", his())
    db.commit()
    assert results is not None
    imports = db.scalars(select(AuditEvent.resource_id).where(AuditEvent.action == "import"))
    assert {i and i.startswith(SOURCE + "nhom-") for i in imports} == {True}
    # Sent again: nothing to write, and each file's result is final without a second look.
    again = submit_together(db, files, "19001", his())
    assert again is not None and [r.outcome for r in again] == ["unchanged"] * 3
    assert [r.transaction_id for r in again] == [r.transaction_id for r in results]
