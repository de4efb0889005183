"""`yteso kiosk demo`: addresses and demo people to present at the kiosk."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.registration.kiosk_data import seed_kiosk_demo
from yteso.cli import app
from yteso.core.settings import Settings


def test_kiosk_demo_prints_addresses_and_people_to_scan(
    db: Session, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = seed_kiosk_demo(db)
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(app, ["kiosk", "demo", "--facility", demo.hospital])
    assert result.exit_code == 0, result.output
    assert f"/kiosk/{demo.hospital}/board" in result.output
    for kind in ("thẻ còn hạn", "thẻ hết hạn"):
        assert kind in result.output
    assert result.output.count("||") >= 4  # QR strings: CCCD, empty old ID, name …
