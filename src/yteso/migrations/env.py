from __future__ import annotations

from alembic import context

from yteso.core.db import make_engine
from yteso.migrations import all_metadata

config = context.config
target_metadata = all_metadata()


def run() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
