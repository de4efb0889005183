from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

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


def test_narrower_reference_rows_go_and_come_back_with_0007(engine: Engine) -> None:
    def rows() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT param, target_id FROM fhir_reference_index ORDER BY param, target_id")
            )
            return [(r[0], r[1]) for r in found]

    insert = (
        "INSERT INTO fhir_reference_index (res_type, res_id, param, target_type, target_id) "
        "VALUES ('Observation', 'o-1', 'subject', 'Patient', 'p-1'), "
        "('Observation', 'o-2', 'subject', 'Group', 'g-1')"
    )
    with engine.begin() as connection:
        connection.execute(text(insert))
    url = engine.url.render_as_string(hide_password=False)
    command.downgrade(alembic_config(url), "0006")
    try:
        assert rows() == [("patient", "p-1"), ("subject", "g-1"), ("subject", "p-1")]
    finally:
        upgrade(url)
    assert rows() == [("subject", "g-1"), ("subject", "p-1")]
