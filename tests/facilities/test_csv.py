from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from tests.helpers import RULES, add_facility
from yteso import facilities
from yteso.core.errors import ValidationFailed

HEADER = "code,name,kind,owner,technical_level,commune_code,address,phone,emr_status,iso15189_lab,telemedicine_hub,active,departments\n"
GOOD = (
    "19001,Bệnh viện A,hospital,department_of_health,chuyen_sau,05443,Số 1,0208 3855 000,approved,1,1,1,"
    "K01:Khoa Khám bệnh;K18:Khoa Nhi\n"
    "06002,Trạm Y tế phường Bắc Kạn,commune_health_station,department_of_health,ban_dau,01843,,,not_started,0,0,1,K01:Khám bệnh\n"
)


def test_import_then_export_round_trips(db: Session) -> None:
    result = facilities.import_facilities(db, HEADER + GOOD, RULES)
    db.commit()
    assert (result.created, result.updated) == (2, 0)
    exported = facilities.export_facilities(db)
    assert exported.splitlines()[0] == HEADER.strip()
    assert (
        "19001,Bệnh viện A,hospital" in exported and "K01:Khoa Khám bệnh;K18:Khoa Nhi" in exported
    )
    db.rollback()
    facilities.import_facilities(db, exported, RULES, update_existing=True)


def test_every_bad_row_is_named_and_nothing_is_imported(db: Session) -> None:
    bad = (
        GOOD
        + "1900X,Tên,hospital,department_of_health,co_ban,05443,,,,0,0,1,\n"
        + "19003,Tên,spa,department_of_health,co_ban,99999,,,,0,0,1,\n"
        + "19001,Trùng mã,hospital,private,co_ban,05443,,,,0,0,1,\n"
        + "19004,Tên,hospital,private,co_ban,05443,,,,có lẽ,0,1,K1\n"
        + "19005,,hospital\n"
    )
    with pytest.raises(ValidationFailed) as caught:
        facilities.import_facilities(db, HEADER + bad, RULES)
    found = {(p.row, p.field) for p in caught.value.problems}
    assert (3, "code") in found
    assert (4, "kind") in found or (4, "commune_code") in found
    assert (5, "code") in found  # duplicate of row 1
    assert (6, "iso15189_lab") in found and (6, "departments") in found
    assert (7, "name") in found
    db.rollback()
    assert facilities.search_facilities(db, facilities.FacilityFilter(active=None)).total == 0


def test_existing_codes_are_refused_unless_updating(db: Session) -> None:
    add_facility(db, "19001")
    with pytest.raises(ValidationFailed) as caught:
        facilities.import_facilities(db, HEADER + GOOD, RULES)
    assert [(p.row, p.field) for p in caught.value.problems] == [(1, "code")]
    db.rollback()
    result = facilities.import_facilities(db, HEADER + GOOD, RULES, update_existing=True)
    assert (result.created, result.updated) == (1, 1)
    assert facilities.get_facility(db, "19001").name == "Bệnh viện A"


def test_missing_header_column_is_reported(db: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        facilities.import_facilities(db, "code,name\n19001,A\n", RULES)
    assert {p.field for p in caught.value.problems} == {
        "kind",
        "owner",
        "technical_level",
        "commune_code",
    }


def test_cli_import_reports_rows_and_exits_1(tmp_path, settings, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from yteso.cli import app

    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    path = tmp_path / "f.csv"
    path.write_text(
        HEADER + "19001,Bệnh viện A,hospital,department_of_health,co_ban,99999,,,,0,0,1,\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    failed = runner.invoke(app, ["facilities", "import", str(path)])
    assert failed.exit_code == 1
    assert "dòng 1, trường commune_code" in failed.output
    path.write_text(HEADER + GOOD, encoding="utf-8")
    done = runner.invoke(app, ["facilities", "import", str(path)])
    assert done.exit_code == 0, done.output
    exported = runner.invoke(app, ["facilities", "export"])
    assert "06002,Trạm Y tế phường Bắc Kạn" in exported.output
