"""`yteso demo seed`."""

from __future__ import annotations

import time
from typing import Annotated

import typer

from yteso import facilities
from yteso.core.cli_support import command_unit_of_work, console, progress_bar
from yteso.core.settings import load_settings
from yteso.synth.seed import DEMO_PASSWORD, DemoSeedReport, seed_demo

app = typer.Typer(help="Tỉnh mẫu (demo province).", no_args_is_help=True)


def _print_report(report: DemoSeedReport, seconds: float) -> None:
    console.print(
        f"Tỉnh mẫu: {report.facilities} cơ sở KCB, {report.people:,} người "
        f"trong {seconds:.1f} s. [yellow]Dữ liệu mẫu, không phải dữ liệu thật.[/]"
    )
    console.print(f"Tài khoản demo (mật khẩu chung: [bold]{DEMO_PASSWORD}[/], chỉ dùng cho demo):")
    for username, role, facility in report.users:
        console.print(f"  {username:<10} {role:<15} {facility or 'toàn tỉnh'}")
    console.print("Máy khách API demo (client_credentials tại POST /oauth/token):")
    for client_id, secret, facility in report.clients:
        console.print(
            f"  client_id={client_id} client_secret={secret} (cơ sở {facility})", soft_wrap=True
        )


@app.command("seed")
def seed(
    people: Annotated[int, typer.Option(min=0, help="Số người mẫu")] = 20_000,
    seed: Annotated[
        int, typer.Option(help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng dữ liệu)")
    ] = 1,
    if_empty: Annotated[
        bool, typer.Option(help="Bỏ qua nếu cơ sở dữ liệu đã có cơ sở KCB")
    ] = False,
) -> None:
    """Create the demo province: facilities, people, demo staff and API clients."""
    settings = load_settings()
    rules = facilities.RegistryRules(settings.province_code, settings.facility_prefixes)
    started = time.perf_counter()
    with command_unit_of_work(settings) as session:
        if facilities.count_active_facilities(session) > 0:
            if if_empty:
                console.print("Cơ sở dữ liệu đã có dữ liệu: bỏ qua tạo tỉnh mẫu.")
                return
            console.print("[bold red]Lỗi:[/] cơ sở dữ liệu đã có dữ liệu; xóa var/ để tạo lại.")
            raise typer.Exit(1)
        with progress_bar() as bar:
            task = bar.add_task("Tạo người mẫu", total=people)
            report = seed_demo(session, people, seed, rules, lambda n: bar.advance(task, n))
    _print_report(report, time.perf_counter() - started)
