"""What the benchmark sections share: a fresh database of either kind, percentiles."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

PG_ADMIN = os.environ.get("YTESO_TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nan for none)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))] if ordered else float("nan")


@contextmanager
def database(kind: str, folder: Path, name: str) -> Iterator[str]:
    """A new SQLite file in `folder`, or a new PostgreSQL database dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / f'{name}.db'}"
        return
    database_name = f"yteso_bench_{name}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database_name}"')
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{database_name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
