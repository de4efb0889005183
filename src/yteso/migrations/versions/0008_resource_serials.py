"""records: resources numbered by a serial, index rows pointing at it

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 23:40:00

Index rows named their resource by (res_type, res_id), a random key: every new row went to
a random page of the owner index and of its search-index value's range, so a commit wrote
about a page per row, and more pages as the store grew. A resource now gets a serial when
first stored (SQLite's rowid; a sequence on PostgreSQL), and index rows carry the serial:
new rows go to the end. Existing resources are numbered in the order they were stored
(SQLite) or lie on disk (PostgreSQL); the index tables are copied with the serials.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import yteso.core.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = yteso.core.db.UtcDateTime(timezone=True)
# Each index table's own columns (after the owner's), and its search index.
_TABLES: dict[str, tuple[tuple[tuple[str, Any], ...], list[str]]] = {
    "fhir_token_index": (
        (("param", sa.String(40)), ("system", sa.String(200)), ("code", sa.String(200))),
        ["res_type", "param", "code", "system", "{owner}"],
    ),
    "fhir_string_index": (
        (("param", sa.String(40)), ("value", sa.String(200))),
        ["res_type", "param", "value", "{owner}"],
    ),
    "fhir_date_index": (
        (("param", sa.String(40)), ("low", _TIME), ("high", _TIME)),
        ["res_type", "param", "low"],
    ),
    "fhir_reference_index": (
        (("param", sa.String(40)), ("target_type", sa.String(40)), ("target_id", sa.String(64))),
        ["target_type", "target_id", "res_type", "param", "{owner}"],
    ),
}


def _postgresql() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def _resource_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("res_type", sa.String(40), nullable=False),
        sa.Column("res_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("last_updated", _TIME, nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("patient_id", sa.String(64), nullable=True),
        sa.Column("person_id", _ID, nullable=True),
        sa.Column(
            "resource",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
    ]


_RESOURCE_FIELDS = (
    "res_type, res_id, version, last_updated, deleted, patient_id, person_id, resource"
)


def _rebuild_resources_sqlite(numbered: bool) -> None:
    """SQLite cannot change a primary key in place: the table is copied. `numbered`: its
    rowid becomes the serial (the order rows were stored in); else the serial goes and
    (type, id) is the key again."""
    old = "fhir_resources_0007" if numbered else "fhir_resources_0008"
    op.rename_table("fhir_resources", old)
    for index in ("patient", "person", "updated") if numbered else ("person", "updated"):
        op.drop_index(f"ix_fhir_resources_{index}", table_name=old)
    if numbered:
        op.create_table(
            "fhir_resources",
            sa.Column("serial", _ID, nullable=False),
            *_resource_columns(),
            sa.PrimaryKeyConstraint("serial", name="pk_fhir_resources"),
            sa.UniqueConstraint("res_type", "res_id", name="uq_fhir_resources_type_id"),
        )
        into, copied, order = f"serial, {_RESOURCE_FIELDS}", f"rowid, {_RESOURCE_FIELDS}", "rowid"
    else:
        op.create_table(
            "fhir_resources",
            *_resource_columns(),
            sa.PrimaryKeyConstraint("res_type", "res_id", name="pk_fhir_resources"),
        )
        into, copied, order = _RESOURCE_FIELDS, _RESOURCE_FIELDS, "serial"
    op.execute(f"INSERT INTO fhir_resources ({into}) SELECT {copied} FROM {old} ORDER BY {order}")
    op.drop_table(old)
    op.create_index("ix_fhir_resources_person", "fhir_resources", ["person_id"])
    op.create_index("ix_fhir_resources_updated", "fhir_resources", ["res_type", "last_updated"])


def _number_resources_postgresql() -> None:
    # BIGSERIAL numbers the existing rows and makes the sequence fhir_resources_serial_seq.
    op.execute("ALTER TABLE fhir_resources ADD COLUMN serial BIGSERIAL")
    op.execute("ALTER TABLE fhir_resources DROP CONSTRAINT pk_fhir_resources")
    op.create_primary_key("pk_fhir_resources", "fhir_resources", ["serial"])
    op.create_unique_constraint(
        "uq_fhir_resources_type_id", "fhir_resources", ["res_type", "res_id"]
    )
    op.drop_index("ix_fhir_resources_patient", table_name="fhir_resources")


def _copy_index_table(name: str, owner: str) -> None:
    """The index table again, its rows naming their resource by `owner` ("serial", or
    "res_id" going back), copied through fhir_resources."""
    columns, search = _TABLES[name]
    old = f"{name}_old"
    op.drop_index(f"ix_{name}_owner", table_name=name)
    op.drop_index(f"ix_{name}_search", table_name=name)
    op.rename_table(name, old)
    if _postgresql():
        op.execute(f"ALTER TABLE {old} RENAME CONSTRAINT pk_{name} TO pk_{old}")
        op.execute(f"ALTER SEQUENCE {name}_row_id_seq RENAME TO {old}_row_id_seq")
    owner_columns: list[sa.Column[Any]] = [
        sa.Column("serial", sa.BigInteger(), nullable=False),
        sa.Column("res_type", sa.String(40), nullable=False),
    ]
    if owner == "res_id":
        owner_columns = [owner_columns[1], sa.Column("res_id", sa.String(64), nullable=False)]
    own = [column for column, _type in columns]
    op.create_table(
        name,
        sa.Column("row_id", _ID, nullable=False),
        *owner_columns,
        *[sa.Column(column, kind, nullable=False) for column, kind in columns],
        sa.PrimaryKeyConstraint("row_id", name=f"pk_{name}"),
    )
    fields = ", ".join(f"i.{c}" for c in own)
    join = (
        "r.res_type = i.res_type AND r.res_id = i.res_id"
        if owner == "serial"
        else "r.serial = i.serial"
    )
    op.execute(
        f"INSERT INTO {name} ({owner}, res_type, {', '.join(own)}) "
        f"SELECT r.{owner}, i.res_type, {fields} FROM {old} i JOIN fhir_resources r ON {join} "
        "ORDER BY i.row_id"
    )
    op.drop_table(old)
    owner_index = ["serial"] if owner == "serial" else ["res_type", "res_id"]
    op.create_index(f"ix_{name}_owner", name, owner_index)
    op.create_index(f"ix_{name}_search", name, [c.format(owner=owner) for c in search])


def _analyze() -> None:
    """Planner statistics of the new tables and indexes: until they have some, searches on
    a large store could be planned as if the tables were empty. A new store has none to
    take."""
    if op.get_bind().execute(sa.text("SELECT 1 FROM fhir_resources LIMIT 1")).first() is None:
        return
    tables = ("fhir_resources", *_TABLES)
    if _postgresql():
        op.execute(f"ANALYZE {', '.join(tables)}")
        return
    op.execute("PRAGMA analysis_limit = 1000")
    for table in tables:
        op.execute(f"ANALYZE {table}")


def upgrade() -> None:
    if _postgresql():
        _number_resources_postgresql()
    else:
        _rebuild_resources_sqlite(numbered=True)
    op.create_index(
        "ix_fhir_resources_patient", "fhir_resources", ["patient_id", "res_type", "serial"]
    )
    for name in _TABLES:
        _copy_index_table(name, "serial")
    _analyze()


def downgrade() -> None:
    for name in _TABLES:
        _copy_index_table(name, "res_id")
    op.drop_index("ix_fhir_resources_patient", table_name="fhir_resources")
    if _postgresql():
        op.drop_constraint("uq_fhir_resources_type_id", "fhir_resources")
        op.execute("ALTER TABLE fhir_resources DROP CONSTRAINT pk_fhir_resources")
        op.create_primary_key("pk_fhir_resources", "fhir_resources", ["res_type", "res_id"])
        op.drop_column("fhir_resources", "serial")
    else:
        _rebuild_resources_sqlite(numbered=False)
    op.create_index(
        "ix_fhir_resources_patient", "fhir_resources", ["patient_id", "res_type", "res_id"]
    )
    _analyze()
