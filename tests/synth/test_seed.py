from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.helpers import RULES
from yteso import facilities, patients
from yteso.cli import app as cli
from yteso.core.settings import Settings
from yteso.synth.seed import DEMO_PASSWORD, seed_demo


def test_demo_province_is_loaded_and_marked_as_demo(db: Session, client: TestClient) -> None:
    progress: list[int] = []
    report = seed_demo(db, 1200, 3, RULES, progress.append)
    db.commit()
    assert report.people == 1200 == sum(progress) == patients.count_people(db)
    registry = facilities.search_facilities(db, facilities.FacilityFilter(active=None), limit=500)
    assert registry.total == report.facilities and all(f.is_demo for f in registry.items)
    stations = facilities.search_facilities(
        db, facilities.FacilityFilter(kind="commune_health_station"), limit=500
    )
    assert stations.total == 92
    first = patients.get_person(db, 1)
    assert first.is_demo and {i.kind for i in first.identifiers} >= {"national_id"}
    response = client.post(
        "/login", data={"username": "bacsi", "password": DEMO_PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303
    assert client.get("/api/persons/1").json()["full_name"] == first.full_name


def test_demo_seed_command_runs_once(settings: Settings, engine, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "seed", "--people", "300", "--seed", "5"])
    assert first.exit_code == 0, first.output
    assert "demo-yteso-2026" in first.output and "client_secret=" in first.output
    again = runner.invoke(cli, ["demo", "seed", "--people", "300", "--if-empty"])
    assert again.exit_code == 0 and "bỏ qua" in again.output
    refused = runner.invoke(cli, ["demo", "seed", "--people", "300"])
    assert refused.exit_code == 1
