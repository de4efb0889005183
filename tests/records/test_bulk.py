from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.helpers import add_facility
from tests.records import fixtures as fx
from tests.records.test_search import ids, search
from yteso.cli import app as cli
from yteso.core.settings import Settings


def ndjson(*resources: dict[str, object]) -> bytes:
    return b"\n".join(orjson.dumps(r) for r in resources) + b"\n"


def test_import_endpoint_loads_indexes_and_versions(
    client: TestClient, his: dict[str, str]
) -> None:
    patient = {**fx.patient(), "id": "bn-1"}
    lines = ndjson(patient, {**fx.observation("bn-1"), "id": "obs-1"}, fx.condition("bn-1"))
    response = client.post(
        "/fhir/$import", content=lines, headers={**his, "Content-Type": "application/fhir+ndjson"}
    )
    assert response.status_code == 200, response.text
    assert len(ids(search(client, his, "Observation", patient="bn-1", code="8867-4"))) == 1
    assert search(client, his, "Condition", _summary="count")["total"] == 1
    later = client.post("/fhir/Patient", json=fx.patient("019190007777", bhyt=None), headers=his)
    assert later.status_code == 201, later.text  # the patient index still takes new people
    again = client.post("/fhir/$import", content=ndjson(patient), headers=his)
    assert again.status_code == 200
    assert client.get("/fhir/Patient/bn-1", headers=his).json()["meta"]["versionId"] == "2"


def test_import_with_a_bad_line_writes_nothing(client: TestClient, his: dict[str, str]) -> None:
    lines = ndjson(fx.patient(), {"resourceType": "Observation", "status": 3}) + b"{broken\n"
    response = client.post("/fhir/$import", content=lines, headers=his)
    assert response.status_code == 400
    where = [i["expression"][0] for i in response.json()["issue"]]
    assert where[0].startswith("dòng 2") and where[1].startswith("dòng 3")
    assert search(client, his, "Patient", _summary="count")["total"] == 0


@pytest.mark.usefixtures("client")
def test_cli_import(
    db: Session, settings: Settings, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    add_facility(db, "19001")
    path = tmp_path / "records.ndjson"
    path.write_bytes(ndjson(fx.patient(), fx.organization()))
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(cli, ["records", "import", str(path), "--facility", "19001"])
    assert result.exit_code == 0, result.output
    assert "2 tài nguyên mới" in result.output
