from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from yteso.migrations import all_metadata


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
