"""records: resources of a type in serial order

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 00:15:00

Search results without `_sort` come in serial order (0008). A search with no filter that
leads into an index (`Organization?`, `Observation?code:not=…`) read the whole table on
SQLite to give that order; (res_type, serial) gives it for the type alone.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_fhir_resources_type", "fhir_resources", ["res_type", "serial"])


def downgrade() -> None:
    op.drop_index("ix_fhir_resources_type", table_name="fhir_resources")
