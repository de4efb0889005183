"""`yteso facilities import|export`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from yteso.core.cli_support import command_unit_of_work, console
from yteso.core.settings import load_settings
from yteso.facilities.csv_io import export_facilities, import_facilities
from yteso.facilities.service import RegistryRules

app = typer.Typer(help="Danh mục cơ sở KCB (facility registry).", no_args_is_help=True)


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    update: Annotated[bool, typer.Option(help="Cập nhật cơ sở đã có thay vì báo lỗi")] = False,
) -> None:
    """Import facilities from CSV: every row or, on any error, none."""
    settings = load_settings()
    rules = RegistryRules(settings.province_code, settings.facility_prefixes)
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        console.print("[bold red]Lỗi:[/] tệp không phải UTF-8; hãy lưu lại CSV với mã hóa UTF-8")
        raise typer.Exit(1) from None
    with command_unit_of_work(settings) as session:
        result = import_facilities(session, text, rules, update_existing=update)
    console.print(f"Đã nhập: {result.created} cơ sở mới, {result.updated} cơ sở cập nhật")


@app.command("export")
def export_file(
    out: Annotated[Path | None, typer.Option(help="Tệp CSV (mặc định: ra màn hình)")] = None,
) -> None:
    """Export the whole registry as CSV (same columns as import)."""
    with command_unit_of_work() as session:
        text = export_facilities(session)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"Đã ghi {text.count(chr(10)) - 1} cơ sở vào {out}")
