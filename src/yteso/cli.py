"""The one command line: `yteso …`."""

from __future__ import annotations

import sys
import time
from typing import Annotated

import typer

from yteso import facilities
from yteso.claims import cli as claims_cli
from yteso.core.auth import service as auth
from yteso.core.auth.principal import ClientKind, Role
from yteso.core.cli_support import command_unit_of_work, console
from yteso.core.settings import load_settings
from yteso.facilities import cli as facilities_cli
from yteso.migrations import upgrade
from yteso.patients import cli as patients_cli
from yteso.records import cli as records_cli
from yteso.reference import cli as reference_cli
from yteso.registration import cli as registration_cli
from yteso.synth import cli as synth_cli
from yteso.synth.claims_cli import generate as generate_claims

app = typer.Typer(help="Y Tế Số — nền tảng dữ liệu y tế tỉnh.", no_args_is_help=True)
db_app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)
users = typer.Typer(help="Tài khoản nhân viên (staff users).", no_args_is_help=True)
clients = typer.Typer(help="Máy khách API: phần mềm cơ sở KCB, ki-ốt.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users, name="users")
app.add_typer(clients, name="clients")
app.add_typer(facilities_cli.app, name="facilities")
app.add_typer(reference_cli.app, name="reference")
app.add_typer(synth_cli.app, name="demo")
app.add_typer(records_cli.app, name="records")
app.add_typer(claims_cli.app, name="claims")
claims_cli.app.command("generate")(generate_claims)
app.add_typer(patients_cli.app, name="mpi")
app.add_typer(registration_cli.app, name="kiosk")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the database migrations."""
    upgrade(load_settings().database_url)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(help="Số tiến trình (PostgreSQL nên dùng ≥ 2)")] = 1,
) -> None:
    """Migrate the database, then serve the platform."""
    import uvicorn

    started = time.perf_counter()
    upgrade(load_settings().database_url)
    console.print(f"Đã cập nhật lược đồ trong {time.perf_counter() - started:.2f} s")
    # The app writes its own structured access log; uvicorn's plain-text one would repeat it.
    uvicorn.run(
        "yteso.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
    )


def _require_facility(code: str | None) -> None:
    if code is None:
        return
    with command_unit_of_work() as session:
        if facilities.find_facility(session, code) is None:
            console.print(f"[bold red]Lỗi:[/] không có cơ sở KCB mã {code} trong danh mục")
            raise typer.Exit(1)


@users.command("create")
def create_user(
    username: str,
    role: Annotated[Role, typer.Option(help="Vai trò")],
    full_name: Annotated[str, typer.Option("--full-name", help="Họ tên")],
    facility: Annotated[str | None, typer.Option(help="MA_CSKCB nơi làm việc")] = None,
    password_stdin: Annotated[bool, typer.Option(help="Đọc mật khẩu từ stdin")] = False,
) -> None:
    """Create a staff user; the password is asked for, never taken on the command line."""
    _require_facility(facility)
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Mật khẩu", hide_input=True, confirmation_prompt=True)
    with command_unit_of_work() as session:
        user = auth.create_user(session, username, full_name, password, role.value, facility)
        console.print(f"Đã tạo người dùng [bold]{user.username}[/] ({user.role})")


@clients.command("create")
def create_client(
    name: Annotated[str, typer.Option(help="Tên, vd 'HIS Bệnh viện A'")],
    kind: Annotated[ClientKind, typer.Option(help="his hoặc kiosk")],
    facility: Annotated[str, typer.Option(help="MA_CSKCB của máy khách")],
) -> None:
    """Register an API client; prints its client_id and secret once."""
    _require_facility(facility)
    with command_unit_of_work() as session:
        client, secret = auth.create_client(session, name, kind.value, facility)
        typer.echo(f"client_id={client.client_id}")
        typer.echo(f"client_secret={secret}")
    console.print("Lưu client_secret ngay: hệ thống chỉ giữ bản băm, không hiển thị lại.")


if __name__ == "__main__":
    app()
