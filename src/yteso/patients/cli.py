"""`yteso mpi …`: the patient index from the command line."""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from yteso.core.cli_support import command_unit_of_work, console, progress_bar
from yteso.patients.dedupe import BATCH_THRESHOLDS, STEPS, dedupe
from yteso.patients.features import RawRecord
from yteso.patients.maintenance import reindex_all
from yteso.patients.matching import Thresholds
from yteso.patients.service import count_people
from yteso.reference.admin_units import get_commune
from yteso.reference.crosswalk import current_commune

app = typer.Typer(help="Chỉ mục người bệnh (master patient index).", no_args_is_help=True)

INPUT_COLUMNS = ("record_id", "full_name", "birth_date", "sex", "cccd", "bhyt", "commune_code",
                 "address", "phone")  # fmt: skip
OUTPUT_COLUMNS = ("record_id", "person_id")


def read_records(path: Path) -> list[RawRecord]:
    """Rows of the input CSV; missing optional columns are unknown, extra ones ignored."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or ())
        if "record_id" not in header:
            raise ValueError("tệp đầu vào thiếu cột record_id")
        return [
            RawRecord(**{c: (row.get(c) or "").strip() for c in INPUT_COLUMNS if c in header})
            for row in reader
        ]


def write_result(path: Path, rows: Iterator[tuple[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUTPUT_COLUMNS)
        writer.writerows(rows)


def current_communes(session: Session | None, codes: Iterable[str]) -> dict[str, str]:
    """Each distinct commune code of the input mapped to a current one, looked up once.

    With a session, old (pre-07/2025) codes go through the database crosswalk; without,
    only current codes are recognised and old ones are compared as written.
    """
    found = {}
    for code in set(codes):
        commune = current_commune(session, code) if session else get_commune(code)
        if commune is not None:
            found[code] = commune.code
    return found


@app.command("dedupe")
def dedupe_command(
    input_csv: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Tệp CSV vào")],
    out: Annotated[Path, typer.Option("--out", help="Tệp CSV ra: record_id, person_id")],
    link_at: Annotated[float, typer.Option(help="Ngưỡng điểm để nối")] = BATCH_THRESHOLDS.link,
    review_at: Annotated[
        float, typer.Option(help="Ngưỡng điểm để xem xét")
    ] = BATCH_THRESHOLDS.review,
    crosswalk: Annotated[
        bool, typer.Option(help="Đổi mã xã cũ sang mã mới theo bảng chuyển đổi trong CSDL")
    ] = False,
) -> None:
    """Group the records of a whole population by person (in memory)."""
    started = time.perf_counter()
    try:
        records = read_records(input_csv)
    except (ValueError, UnicodeDecodeError) as error:
        console.print(f"[bold red]Lỗi:[/] {error}")
        raise typer.Exit(1) from None
    codes = (r.commune_code for r in records if r.commune_code)
    if crosswalk:
        with command_unit_of_work() as session:
            communes = current_communes(session, codes)
    else:
        communes = current_communes(None, codes)
    with progress_bar() as bar:
        task = bar.add_task("Khử trùng lặp", total=len(records) * STEPS)
        result = dedupe(
            records, Thresholds(link_at, review_at), communes.get,
            lambda n: bar.advance(task, n),
        )  # fmt: skip
    write_result(out, zip((r.record_id for r in records), result.person_ids, strict=True))
    problems = sum(len(r.problems) for r in result.records)
    console.print(
        f"{len(records):,} hồ sơ → {len(set(result.person_ids)):,} người trong "
        f"{time.perf_counter() - started:.1f} s; {problems:,} giá trị sai định dạng (bỏ qua); "
        f"{len(result.review):,} hồ sơ quá ít thông tin, để người xem xét."
    )


@app.command("reindex")
def reindex_command() -> None:
    """Rebuild the real-time matching index of every person (after a rules change)."""
    started = time.perf_counter()
    with command_unit_of_work() as session:
        total = count_people(session)
        with progress_bar() as bar:
            task = bar.add_task("Lập lại chỉ mục ghép", total=total)
            for done in reindex_all(session):
                bar.advance(task, done)
    console.print(
        f"Đã lập lại chỉ mục cho {total:,} người trong {time.perf_counter() - started:.1f} s"
    )
