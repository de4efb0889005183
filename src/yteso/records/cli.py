"""`yteso records …`: bulk loading of FHIR resources."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yteso.core.auth import ClientKind, Principal
from yteso.core.cli_support import command_unit_of_work, console, progress_bar
from yteso.records.access import Caller
from yteso.records.bulk import import_ndjson
from yteso.records.outcome import FhirError

app = typer.Typer(help="Hồ sơ sức khỏe dùng chung (kho FHIR).", no_args_is_help=True)


def _count_lines(path: Path) -> int:
    with path.open("rb") as source:
        return sum(1 for line in source if line.strip())


@app.command("import")
def import_file(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Tệp NDJSON")],
    facility: Annotated[str, typer.Option(help="MA_CSKCB của cơ sở sở hữu dữ liệu")],
    batch_size: Annotated[int, typer.Option(help="Số dòng mỗi lượt ghi")] = 5000,
) -> None:
    """Load an NDJSON file (one FHIR resource per line) in ONE transaction: all or nothing."""
    principal = Principal("client", "cli-import", "yteso records import", ClientKind.HIS, facility)
    caller = Caller(principal, None, None, f"urn:yteso:import:{path.name}")
    total = _count_lines(path)
    with command_unit_of_work() as session, progress_bar() as bar, path.open("rb") as source:
        task = bar.add_task(f"Nhập {path.name}", total=total)
        try:
            result = import_ndjson(
                session, caller, source, batch_size, lambda n: bar.advance(task, n), processes=1
            )
        except FhirError as error:
            bar.stop()
            console.print(f"[bold red]Lỗi:[/] không ghi gì; {len(error.issues)} vấn đề:")
            for issue in error.issues:
                console.print(f"  - {issue.expression or ''} {issue.diagnostics}")
            raise typer.Exit(1) from None
    console.print(f"Đã nhập {result.created} tài nguyên mới, cập nhật {result.updated}.")
