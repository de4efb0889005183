"""`yteso claims validate FILE... [--format text|json]`, `yteso claims submit FILE...
--facility MA_CSKCB [--workers N]` (generate lives in synth)."""

from __future__ import annotations

import enum
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer

from yteso import facilities
from yteso.claims.backfill import FileOutcome, submit_files
from yteso.claims.findings import Finding
from yteso.claims.validator import iter_findings
from yteso.core.cli_support import command_unit_of_work, console, progress_bar

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


@app.command("submit")
def submit(
    paths: Annotated[
        list[Path],
        typer.Argument(exists=True, readable=True, help="Tệp XML, hoặc thư mục chứa tệp .xml"),
    ],
    facility: Annotated[str, typer.Option(help="MA_CSKCB của cơ sở gửi hồ sơ")],
    workers: Annotated[int, typer.Option(min=1, max=16, help="Số tiến trình tiếp nhận")] = 2,
) -> None:
    """Back-fill a facility's files into the shared record, each file as if its HIS had
    sent it to the API (same checks, report and audit; the whole file or nothing), small
    files written 200 at a time; exit 1 when a file is rejected."""
    with command_unit_of_work() as session:
        if facilities.find_facility(session, facility) is None:
            console.print(
                f"[bold red]Lỗi:[/] không có cơ sở KCB mã {facility}; kiểm tra --facility."
            )
            raise typer.Exit(1)
    files = _xml_files(paths)
    tally = _Tally()
    with progress_bar() as bar:
        task = bar.add_task("Tiếp nhận tệp XML", total=len(files))
        for outcome in submit_files(files, facility, workers):
            tally.add(outcome)
            bar.update(task, advance=1, description=f"Tiếp nhận tệp XML ({tally.episodes:,} hồ sơ)")
    if tally.report():
        raise typer.Exit(1)


def _xml_files(paths: list[Path]) -> list[Path]:
    """The files given, and the .xml files anywhere under each folder given (sorted): a
    province's back-fill is more files than a command line holds."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            under = (p for p in path.rglob("*") if p.suffix.lower() == ".xml" and p.is_file())
            found += sorted(under)
        else:
            found.append(path)
    return found


@dataclass
class _Tally:
    """Counts by outcome and the refused files (the others are not kept: a back-fill can be
    millions of files)."""

    counts: Counter[str] = field(default_factory=Counter)
    episodes: int = 0
    refused: list[FileOutcome] = field(default_factory=list)

    def add(self, outcome: FileOutcome) -> None:
        self.counts[outcome.outcome] += 1
        self.episodes += outcome.episodes
        if outcome.outcome in ("rejected", "failed"):
            self.refused.append(outcome)

    def report(self) -> int:
        """Each refused file with its first errors, then the totals; the number refused."""
        for outcome in self.refused:
            console.print(f"[bold red]{outcome.path}[/]: bị từ chối, không lưu phần nào")
            for problem in outcome.problems:
                console.print(f"  - {problem}")
        counts = self.counts
        console.print(
            f"{counts.total()} tệp, {self.episodes:,} hồ sơ: {counts['accepted']} tiếp nhận, "
            f"{counts['unchanged']} không đổi, {len(self.refused)} bị từ chối"
        )
        return len(self.refused)
