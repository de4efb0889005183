"""The server's app: what lives as long as the process is kept out of the collector."""

from __future__ import annotations

import gc

import pytest

from yteso.app import create_served_app
from yteso.core.settings import Settings


def test_the_served_app_freezes_what_lives_as_long_as_the_process(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTESO_DATABASE_URL", settings.database_url)
    try:
        app = create_served_app()
        assert gc.get_freeze_count() > 10_000
        assert app.state.settings.database_url == settings.database_url
    finally:
        gc.unfreeze()
