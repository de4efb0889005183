"""`yteso reference crosswalk-import`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yteso.core.cli_support import command_unit_of_work, console
from yteso.reference.crosswalk import read_crosswalk, record_crosswalk

app = typer.Typer(help="Dữ liệu danh mục (reference data).", no_args_is_help=True)


@app.command("crosswalk-import")
def crosswalk_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Record old → new commune codes from CSV (old_code, old_name, new_code, …)."""
    with command_unit_of_work() as session:
        count = record_crosswalk(session, read_crosswalk(file.read_text(encoding="utf-8")))
    console.print(f"Đã ghi {count} mã xã cũ → mới")
