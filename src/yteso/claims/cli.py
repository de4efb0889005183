"""`yteso claims validate FILE... [--format text|json]` (generate lives in synth)."""

from __future__ import annotations

import enum
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from yteso.claims.findings import Finding
from yteso.claims.validator import iter_findings
from yteso.core.cli_support import console

app = typer.Typer(help="Dữ liệu XML QĐ 130 (hồ sơ giám định BHYT).", no_args_is_help=True)


class ReportFormat(enum.StrEnum):
    TEXT = "text"
    JSON = "json"


def _findings(files: list[Path]) -> Iterator[Finding]:
    for path in files:
        with path.open("rb") as stream:
            yield from iter_findings(stream, path.name)


def _line(finding: Finding) -> str:
    place = " ".join(
        f"{label}={value}"
        for label, value in (
            ("MA_LK", finding.ma_lk),
            ("bảng", finding.table),
            ("STT", finding.stt),
            ("trường", finding.field),
        )
        if value
    )
    return f"{finding.file}: [{finding.severity}] {finding.rule} {place}: {finding.message_vi}"


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, readable=True)],
    report: Annotated[ReportFormat, typer.Option("--format", help="text hoặc json")] = (
        ReportFormat.TEXT
    ),
) -> None:
    """Check QĐ 130 files like the insurance portal; exit 1 when there is an error."""
    errors = warnings = 0
    collected: list[dict[str, str | None]] = []
    for finding in _findings(files):
        errors += finding.severity == "error"
        warnings += finding.severity == "warning"
        if report is ReportFormat.JSON:
            collected.append(finding.as_dict())
        else:
            typer.echo(_line(finding))
    if report is ReportFormat.JSON:
        typer.echo(json.dumps(collected, ensure_ascii=False, indent=1))
    console.print(f"{len(files)} tệp: {errors} lỗi, {warnings} cảnh báo")
    if errors:
        raise typer.Exit(1)
