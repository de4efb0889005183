"""What every command needs: one unit of work, readable errors, a progress bar."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from sqlalchemy.orm import Session

from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.core.errors import DomainError
from yteso.core.logs import configure_logging
from yteso.core.settings import Settings, load_settings

console = Console(stderr=True)


@contextmanager
def command_unit_of_work(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction for the whole command; domain errors end it with a readable report."""
    settings = settings or load_settings()
    configure_logging("WARNING", settings.log_format)
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as session:
            yield session
    except DomainError as error:
        console.print(f"[bold red]Lỗi:[/] {error.message}")
        for problem in error.problems:
            console.print(f"  - {problem}")
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def progress_bar() -> Progress:
    """Counts done/total, elapsed and time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("còn"),
        TimeRemainingColumn(),
        console=console,
    )
