"""FHIR store tables: current versions, every version, and search indexes filled at write time.

A resource is named by (res_type, res_id), its FHIR logical id, and numbered by `serial`,
given in the order resources are first stored. Index rows point at the serial: a new
resource's rows then go to the end of the owner index and of each search-index value's
range instead of to random pages, which keeps writes fast as the store grows (a random
key dirties a page per row, so a commit's WAL grows with the store), and an integer is
shorter than a type and an id. The resource body is JSONB on PostgreSQL; the repository
writes it as orjson text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from yteso.core.db import Base, UtcDateTime

_BODY = JSON().with_variant(JSONB(), "postgresql")
_BIG_ID = BigInteger().with_variant(Integer, "sqlite")


class FhirResource(Base):
    """The current version of each resource (deleted ones stay, flagged, to answer 410)."""

    __tablename__ = "fhir_resources"
    __table_args__ = (
        UniqueConstraint("res_type", "res_id", name="uq_fhir_resources_type_id"),
        # Compartment reads (Observation?patient=…, $everything) go through patient_id; the
        # trailing serial gives the page order without a sort.
        Index("ix_fhir_resources_patient", "patient_id", "res_type", "serial"),
        Index("ix_fhir_resources_updated", "res_type", "last_updated"),
        Index("ix_fhir_resources_person", "person_id"),
        # A search with no other way in (`Organization?`, only `:not` filters) reads its
        # type's resources in page order.
        Index("ix_fhir_resources_type", "res_type", "serial"),
    )

    # Given by the database on insert (SQLite's rowid, a sequence on PostgreSQL); the same
    # for every version of the resource.
    serial: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    res_type: Mapped[str] = mapped_column(String(40))
    res_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The Patient id of the compartment the resource belongs to (denormalised at write time).
    patient_id: Mapped[str | None] = mapped_column(String(64))
    # Patient rows only: the person in the patient index (yteso.patients) this Patient is.
    person_id: Mapped[int | None] = mapped_column(_BIG_ID)
    resource: Mapped[dict[str, Any]] = mapped_column(_BODY)


class FhirHistory(Base):
    """Every version, deletions included. resource is null for a delete, and for the current
    version until a newer one supersedes it (its body is in fhir_resources: records.versions)."""

    __tablename__ = "fhir_history"
    __table_args__ = (Index("ix_fhir_history_type_updated", "res_type", "last_updated"),)

    res_type: Mapped[str] = mapped_column(String(40), primary_key=True)
    res_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_updated: Mapped[datetime] = mapped_column(UtcDateTime)
    method: Mapped[str] = mapped_column(String(8))  # POST, PUT, DELETE
    resource: Mapped[dict[str, Any] | None] = mapped_column(_BODY)


class TokenIndex(Base):
    __tablename__ = "fhir_token_index"
    __table_args__ = (
        # serial last: the index answers both "which resources have it" and "has this one it",
        # and a new resource's row goes to the end of its value's range.
        Index("ix_fhir_token_index_search", "res_type", "param", "code", "system", "serial"),
        Index("ix_fhir_token_index_owner", "serial"),
    )

    row_id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    serial: Mapped[int] = mapped_column(BigInteger)  # fhir_resources.serial of the owner
    res_type: Mapped[str] = mapped_column(String(40))
    param: Mapped[str] = mapped_column(String(40))
    system: Mapped[str] = mapped_column(String(200))  # "" when the value has no system
    code: Mapped[str] = mapped_column(String(200))


class StringIndex(Base):
    """Folded text (yteso.core.text.fold): "nguyen van an" finds "Nguyễn Văn An"."""

    __tablename__ = "fhir_string_index"
    __table_args__ = (
        Index("ix_fhir_string_index_search", "res_type", "param", "value", "serial"),
        Index("ix_fhir_string_index_owner", "serial"),
    )

    row_id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    serial: Mapped[int] = mapped_column(BigInteger)  # fhir_resources.serial of the owner
    res_type: Mapped[str] = mapped_column(String(40))
    param: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))


class DateIndex(Base):
    """Dates as half-open UTC ranges [low, high), so precision and periods compare alike."""

    __tablename__ = "fhir_date_index"
    __table_args__ = (
        Index("ix_fhir_date_index_search", "res_type", "param", "low"),
        Index("ix_fhir_date_index_owner", "serial"),
    )

    row_id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    serial: Mapped[int] = mapped_column(BigInteger)  # fhir_resources.serial of the owner
    res_type: Mapped[str] = mapped_column(String(40))
    param: Mapped[str] = mapped_column(String(40))
    low: Mapped[datetime] = mapped_column(UtcDateTime)
    high: Mapped[datetime] = mapped_column(UtcDateTime)


class ReferenceIndex(Base):
    __tablename__ = "fhir_reference_index"
    __table_args__ = (
        Index(
            "ix_fhir_reference_index_search",
            "target_type",
            "target_id",
            "res_type",
            "param",
            "serial",
        ),
        Index("ix_fhir_reference_index_owner", "serial"),
    )

    row_id: Mapped[int] = mapped_column(_BIG_ID, primary_key=True)
    serial: Mapped[int] = mapped_column(BigInteger)  # fhir_resources.serial of the owner
    res_type: Mapped[str] = mapped_column(String(40))
    param: Mapped[str] = mapped_column(String(40))
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[str] = mapped_column(String(64))
