"""Alembic migrations for every module's tables, run at start-up and before tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import MetaData

HERE = Path(__file__).parent


def all_metadata() -> MetaData:
    """The metadata with every module's tables registered (for autogenerate and checks)."""
    from yteso.claims import models as _claims  # noqa: F401
    from yteso.core.audit import models as _audit  # noqa: F401
    from yteso.core.auth import models as _auth  # noqa: F401
    from yteso.core.db import Base
    from yteso.core.outbox import models as _outbox  # noqa: F401
    from yteso.facilities import models as _facilities  # noqa: F401
    from yteso.patients import models as _patients  # noqa: F401
    from yteso.records import models as _records  # noqa: F401
    from yteso.reference import models as _reference  # noqa: F401
    from yteso.registration import models as _registration  # noqa: F401

    return Base.metadata


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
