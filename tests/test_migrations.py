from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, bindparam, text

from yteso.core.db import UtcDateTime
from yteso.migrations import alembic_config, all_metadata, upgrade


def test_migrations_create_exactly_the_tables_the_models_describe(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, all_metadata())
    assert differences == []


def test_bodies_are_compressed_with_lz4_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite compresses no column")
    query = text(
        "SELECT attrelid::regclass::text, attcompression FROM pg_attribute "
        "WHERE (attrelid = 'fhir_resources'::regclass AND attname = 'resource') "
        "OR (attrelid = 'fhir_history'::regclass AND attname = 'resource') "
        "OR (attrelid = 'claim_documents'::regclass AND attname = 'content')"
    )
    with engine.connect() as connection:
        methods = {row[0]: row[1] for row in connection.execute(query)}
    assert methods == {"fhir_resources": "l", "fhir_history": "l", "claim_documents": "l"}


_REFERENCES = (
    "INSERT INTO fhir_reference_index (serial, res_type, param, target_type, target_id) "
    "VALUES (901, 'Observation', 'subject', 'Patient', 'p-1'), "
    "(902, 'Observation', 'subject', 'Group', 'g-1')"
)


def _observations(connection: Connection) -> None:
    """Two current Observations, serials 901 and 902 (o-1, o-2)."""
    for serial in (901, 902):
        connection.execute(
            text(
                "INSERT INTO fhir_resources (serial, res_type, res_id, version, last_updated, "
                "deleted, patient_id, person_id, resource) VALUES (:serial, 'Observation', "
                ":res_id, 1, :now, false, NULL, NULL, :body)"
            ).bindparams(bindparam("now", type_=UtcDateTime())),
            {
                "serial": serial,
                "res_id": f"o-{serial - 900}",
                "now": datetime(2026, 12, 1, tzinfo=UTC),
                "body": '{"resourceType": "Observation"}',
            },
        )


def test_narrower_reference_rows_go_and_come_back_with_0007(engine: Engine) -> None:
    def rows() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT param, target_id FROM fhir_reference_index ORDER BY param, target_id")
            )
            return [(r[0], r[1]) for r in found]

    with engine.begin() as connection:
        _observations(connection)
        connection.execute(text(_REFERENCES))
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0006")
    try:
        assert rows() == [("patient", "p-1"), ("subject", "g-1"), ("subject", "p-1")]
    finally:
        upgrade(url)
    assert rows() == [("subject", "g-1"), ("subject", "p-1")]


def test_index_rows_point_at_their_resources_serial_after_0008(engine: Engine) -> None:
    """Resources stored before 0008 are numbered in the order they were stored, and each
    index row then names its resource by that number; going back names it by id again."""
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0007")
    try:
        with engine.begin() as connection:
            for res_id in ("o-b", "o-a"):  # stored in this order, not in the order of ids
                connection.execute(
                    text(
                        "INSERT INTO fhir_resources (res_type, res_id, version, last_updated, "
                        "deleted, resource) VALUES ('Observation', :res_id, 1, :now, false, "
                        "'{}')"
                    ).bindparams(bindparam("now", type_=UtcDateTime())),
                    {"res_id": res_id, "now": datetime(2026, 12, 1, tzinfo=UTC)},
                )
                connection.execute(
                    text(
                        "INSERT INTO fhir_token_index (res_type, res_id, param, system, code) "
                        "VALUES ('Observation', :res_id, 'code', 'http://loinc.org', :res_id)"
                    ),
                    {"res_id": res_id},
                )
    finally:
        upgrade(url)
    owners = (
        "SELECT r.res_id, r.serial, t.code FROM fhir_token_index t "
        "JOIN fhir_resources r ON r.serial = t.serial ORDER BY r.serial"
    )
    with engine.connect() as connection:
        numbered = [(r[0], r[2]) for r in connection.execute(text(owners))]
    assert numbered == [("o-b", "o-b"), ("o-a", "o-a")]
    command.downgrade(alembic_config(url), "0007")
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT res_id, code FROM fhir_token_index"))
            assert sorted((r[0], r[1]) for r in found) == [("o-a", "o-a"), ("o-b", "o-b")]
    finally:
        upgrade(url)
