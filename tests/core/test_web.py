from __future__ import annotations

import json
import logging

from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient

from yteso.app import create_app
from yteso.core.logs import JsonFormatter
from yteso.core.settings import Settings
from yteso.migrations import alembic_config


def test_healthz_and_readyz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["schema"] == head


def test_readyz_is_503_when_the_database_is_not_migrated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}", log_format="text"))
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "unavailable"


def test_oversized_body_is_refused_with_413(settings: Settings) -> None:
    small = Settings(database_url=settings.database_url, max_body_bytes=1000, log_format="text")
    with TestClient(create_app(small)) as client:
        response = client.post(
            "/api/facilities", content=b"x" * 5000, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert "vượt quá giới hạn 1000 byte" in response.json()["error"]["message"]


def test_unknown_api_path_is_json_404_and_unknown_page_is_a_vietnamese_page(
    client: TestClient,
) -> None:
    api = client.get("/api/khong-co")
    assert api.status_code == 404 and api.json()["error"]["code"] == "http_error"
    page = client.get("/khong-co", headers={"accept": "text/html"})
    assert page.status_code == 404 and "Không tìm thấy" in page.text


def test_start_page_links_to_each_part(client: TestClient) -> None:
    page = client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200
    for link in ("/facilities", "/reference/icd10", "/docs", "/api/reference/communes?province=19"):
        assert f'href="{link}"' in page.text
    assert "Thái Nguyên" in page.text and 'lang="vi"' in page.text


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {
        "/api/facilities",
        "/oauth/token",
        "/api/reference/icd10",
        "/api/persons/{person_id}",
    } <= set(spec["paths"])


def test_logs_are_one_json_object_per_line_with_extra_fields() -> None:
    record = logging.makeLogRecord(
        {"msg": "đã nhập %s", "args": (3,), "levelname": "INFO", "name": "t"}
    )
    record.facility = "19001"
    entry = json.loads(JsonFormatter().format(record))
    assert (
        entry["message"] == "đã nhập 3"
        and entry["facility"] == "19001"
        and entry["level"] == "info"
    )


def test_each_request_is_logged_without_its_query_string(client: TestClient, caplog) -> None:  # type: ignore[no-untyped-def]
    caplog.set_level(logging.INFO, logger="yteso.access")
    client.get("/api/facilities", params={"q": "019190001234"})
    (entry,) = [r for r in caplog.records if r.name == "yteso.access"]
    assert entry.__dict__["path"] == "/api/facilities" and entry.__dict__["status"] == 200
    assert "019190001234" not in caplog.text
