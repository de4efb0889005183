"""What a bulk load asks of the database besides rows: planner statistics, its size, a
bigger page cache. Kept apart from the row queries of `repository`."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from yteso.records.repository import CURRENT, HISTORY, INDEX_TABLES


def refresh_statistics(session: Session) -> None:
    """After a bulk load: planner statistics, so searches start from the right index.

    On PostgreSQL the JSON bodies are left out: no query filters on them, and sampling
    them costs more than every other column together."""
    if session.get_bind().dialect.name == "postgresql":
        tables = (CURRENT, HISTORY, *INDEX_TABLES)
        names = ", ".join(
            f"{t.name} ({', '.join(c.name for c in t.c if c.name != 'resource')})" for t in tables
        )
        session.execute(text(f"ANALYZE {names}"))
    else:
        session.execute(text("PRAGMA analysis_limit = 1000"))
        session.execute(text("ANALYZE"))


def analyzed_in_background(session: Session) -> bool:
    """Whether the database refreshes statistics by itself once a tenth of a table changed:
    PostgreSQL's autovacuum does, in the background. Loads as small as one claims file,
    committed every few seconds, then leave it to it: inside their transactions ANALYZE
    cost them a sixth of their time, and two of them at once queue for its table lock."""
    return session.get_bind().dialect.name == "postgresql"


def refresh_id_statistics(session: Session) -> None:
    """Statistics for the id lookup of a load into a table planned as empty (PostgreSQL;
    SQLite looks ids up by primary key anyway). Once taken, the planner scales them to the
    table's current size, so one early refresh keeps the lookup on the primary key."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE fhir_resources (res_type, res_id)"))


def stored_count(session: Session) -> int:
    """About how many resources are stored (the planner's estimate: no count is run);
    0 when the store has no statistics yet."""
    if session.get_bind().dialect.name == "postgresql":
        query = "SELECT reltuples FROM pg_class WHERE relname = 'fhir_resources'"
    else:
        known = session.execute(
            text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        ).first()
        if known is None:
            return 0
        query = "SELECT stat FROM sqlite_stat1 WHERE tbl = 'fhir_resources' LIMIT 1"
    value = session.execute(text(query)).scalar()
    return max(0, int(float(str(value).split()[0]))) if value is not None else 0


def prepare_bulk_load(session: Session) -> None:
    """A bigger page cache for this connection: index B-trees outgrow the default 2 MiB."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size = -262144"))
