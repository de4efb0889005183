"""Test databases and clients.

YTESO_TEST_DATABASE picks the database the whole suite runs on: "sqlite" (a file in a temp
folder) or "postgresql" (a fresh database on 127.0.0.1:5432, dropped afterwards). Migrations
run once per run; every test starts from empty tables.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from yteso.app import create_app
from yteso.core.db import make_engine, make_session_factory
from yteso.core.settings import Settings
from yteso.facilities import forget_recent_facilities
from yteso.migrations import all_metadata, upgrade

PG_ADMIN_URL = os.environ.get(
    "YTESO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
DATABASE = os.environ.get("YTESO_TEST_DATABASE", "sqlite")
IN_CI = os.environ.get("CI") == "true"


def _create_pg_database() -> tuple[str, str]:
    name = f"yteso_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return name, PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if DATABASE == "postgresql":
        name, url = _create_pg_database()
        upgrade(url)
        yield url
        _drop_pg_database(name)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        upgrade(url)
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, log_format="text", log_level="WARNING")


@pytest.fixture(scope="session")
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings.database_url)
    yield engine
    engine.dispose()


def _empty_tables(engine: Engine) -> None:
    tables = list(reversed(all_metadata().sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(t.name for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean(request: pytest.FixtureRequest) -> None:
    if "engine" in request.fixturenames or "client" in request.fixturenames:
        _empty_tables(request.getfixturevalue("engine"))
        forget_recent_facilities()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for arranging and checking; commit explicitly where the test needs it."""
    with session_factory() as session:
        yield session


@pytest.fixture
def app(settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    return create_app(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def pytest_report_header() -> str:
    return f"yteso test database: {DATABASE}"
