"""Access to the QĐ 130/4750 table specifications (package data of yteso.reference)."""

from __future__ import annotations

from functools import cache

from yteso.reference.claim_specs import ClaimField, ClaimTable, table, tables

__all__ = ["ClaimField", "ClaimTable", "field_map", "is_known", "table", "table_for_root"]


@cache
def _ids() -> frozenset[str]:
    return frozenset(t.id for t in tables())


def is_known(table_id: str) -> bool:
    return table_id in _ids()


@cache
def _roots() -> dict[str, str]:
    return {t.xml_root: t.id for t in tables() if t.xml_root}


def table_for_root(tag: str) -> str | None:
    """The table whose inner document has this root element ("TONG_HOP" → "XML1")."""
    return _roots().get(tag)


@cache
def field_map(table_id: str) -> dict[str, ClaimField]:
    return {f.name: f for f in table(table_id).fields}
