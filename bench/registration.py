"""The registration kiosk's figures (issue 6), on SQLite and on PostgreSQL.

BENCH_REGISTRATION_KIOSKS simulated kiosks (default 200), spread over the demo province's
first ten hospitals and health centres, each looping for BENCH_REGISTRATION_SECONDS (60):
identify a demo person (typed CCCD, typed BHYT number or a CCCD QR string), read the
departments, take a ticket; 5 % of tickets are submitted twice (the same request id). A
kiosk serves a patient every BENCH_REGISTRATION_PATIENT_SECONDS (30 s, a third on each
screen: a real kiosk's pace) with every kiosk busy at once, a peak of ~6.7 patients/s.

- server time identify → ticket: the sum of the app's own time (a Server-Timing header set
  by an ASGI wrapper around `create_served_app`) over the three requests of one patient;
- tickets issued, duplicates (two tickets with one number, or a double submit answered with
  a second ticket) and losses (a ticket a kiosk was given that the database does not hold
  after the server stopped);
- board delay: a receptionist calls the next ticket every 2 s at the first facility while a
  board listens to its server-sent events; delay from sending the call to the board event.
The server is `uvicorn` (BENCH_REGISTRATION_WORKERS workers, default 2: the machine's cores)
in a subprocess on a fresh database seeded with BENCH_REGISTRATION_PEOPLE demo people
(20,000) and uses the insurance simulator.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text

from registration_load import DOUBLE_SUBMIT, KIOSKS, PATIENT_SECONDS, SECONDS, Setup, Tally, load
from support import database, percentile
from yteso import facilities
from yteso.app import create_served_app
from yteso.core.auth import service as auth
from yteso.core.cli_support import progress_bar
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.core.settings import Settings
from yteso.migrations import upgrade
from yteso.synth.facilities import generate_facilities
from yteso.synth.people import generate_people
from yteso.synth.seed import DEMO_PASSWORD, seed_demo

PEOPLE = int(os.environ.get("BENCH_REGISTRATION_PEOPLE", "20000"))
WORKERS = int(os.environ.get("BENCH_REGISTRATION_WORKERS", "2"))
DATABASES = os.environ.get("BENCH_REGISTRATION_DATABASES", "sqlite,postgresql").split(",")
FACILITIES = 10


def timed_app() -> Any:
    """The application with a Server-Timing header: the app's time until it answers."""
    app = create_served_app()

    async def timed(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                spent = f"app;dur={(time.perf_counter() - started) * 1000:.3f}".encode()
                message = {**message, "headers": [*message["headers"], (b"server-timing", spent)]}
            await send(message)

        await app(scope, receive, timed_send)

    return timed


def prepare(url: str) -> Setup:
    """Seed the demo province; one kiosk client per chosen facility and a counter session."""
    upgrade(url)
    settings = Settings(database_url=url)
    rules = facilities.RegistryRules(settings.province_code, settings.facility_prefixes)
    chosen = [
        f
        for f in generate_facilities(1, settings.province_code)
        if f.kind in ("hospital", "health_centre") and f.departments
    ][:FACILITIES]
    engine = make_engine(url)
    with progress_bar() as bar, unit_of_work(make_session_factory(engine)) as session:
        task = bar.add_task("Nạp tỉnh mẫu", total=PEOPLE)
        seed_demo(session, PEOPLE, 1, rules, lambda n: bar.advance(task, n))
        kiosks = []
        for facility in chosen:
            client, secret = auth.create_client(session, f"Ki-ốt {facility.code}", "kiosk",
                                                facility.code)  # fmt: skip
            kiosks.append((facility.code, auth.issue_token(session, client.client_id, secret, 600)))
        user = auth.authenticate(session, "tiepdon", DEMO_PASSWORD)
        assert user is not None and user.facility_code == chosen[0].code
        cookie = auth.start_session(session, user, 12)
    engine.dispose()
    departments = {f.code: [c for c, _ in f.departments] for f in chosen}
    people = list(generate_people(PEOPLE, 1, settings.province_code, date(2026, 1, 1)))
    return Setup(url, kiosks, departments, cookie, people)


@contextmanager
def server(url: str, log: Path) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {
        **os.environ,
        "YTESO_DATABASE_URL": url,
        "YTESO_LOG_LEVEL": "WARNING",
        "YTESO_INSURANCE_GATEWAY": "simulator",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).parent), *sys.path]),
    }
    command = [sys.executable, "-m", "uvicorn", "registration:timed_app", "--factory",
               "--port", str(port), "--workers", str(WORKERS),
               "--timeout-keep-alive", "120", "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
    with log.open("wb") as errors:
        process = subprocess.Popen(command, env=env, stderr=errors)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def server_errors(log: Path) -> dict[str, int]:
    """Unhandled server errors by exception type, from the server's JSON log lines."""
    kinds: dict[str, int] = {}
    for line in log.read_text(errors="replace").splitlines():
        if '"unhandled error"' not in line:
            continue
        try:
            lines = json.loads(line)["exception"].strip().splitlines()
        except (ValueError, KeyError):
            lines = []
        raised = [x for x in lines if re.match(r"[\w.]+(Error|Exception|Timeout)\b", x)]
        kind = "server " + (raised[-1].split(":", 1)[0].rsplit(".", 1)[-1] if raised else "?")
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def check_database(url: str, tally: Tally) -> tuple[int, int, int]:
    """(tickets stored, numbers held twice, tickets given out but not stored)."""
    engine = make_engine(url)
    with engine.connect() as connection:
        stored = dict(
            (row[0], (row[1], row[2], row[3]))
            for row in connection.execute(
                text("SELECT id, facility_code, department_code, number FROM queue_tickets")
            )
        )
    engine.dispose()
    numbers = list(stored.values())
    twice = len(numbers) - len(set(numbers))
    lost = sum(1 for i, number in tally.tickets.items() if stored.get(i) != number)
    return len(stored), twice, lost


def bench_database(kind: str, folder: Path) -> list[str]:
    with database(kind, folder, "registration") as url:
        setup = prepare(url)
        log = folder / f"server-{kind}.log"
        with server(url, log) as port:
            tally = load(port, setup)
        tally.errors.update(server_errors(log))
        stored, twice, lost = check_database(url, tally)
    flows, delays = tally.flows_ms, tally.board_delays_ms
    p50, p95, p99 = (percentile(flows, s) for s in (0.50, 0.95, 0.99))
    steps = ", ".join(
        f"{name} {percentile(ms, 0.99):.1f}" for name, ms in sorted(tally.by_step_ms.items())
    )
    errors = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "none"
    duplicates = twice + tally.double_answered_twice
    return [
        f"| {kind} | server time identify → ticket, p50 / p95 / p99 | {len(flows)} patients "
        f"| {p50:.1f} / {p95:.1f} / {p99:.1f} ms | p99 ≤ 150 ms |",
        f"| {kind} | p99 per request | | {steps} ms | |",
        f"| {kind} | tickets given out / stored (+{len(setup.kiosks)} warm-up) | "
        f"{SECONDS:.0f} s | {len(tally.tickets)} / {stored - len(setup.kiosks)} "
        f"({len(tally.tickets) / SECONDS:.1f}/s) | |",
        f"| {kind} | duplicates (same number twice; double submit → 2nd ticket) | "
        f"{tally.double_submits} double submits | {duplicates} | 0 |",
        f"| {kind} | lost tickets | | {lost} | 0 |",
        f"| {kind} | board delay after a call, p50 / max | {len(delays)} calls "
        f"| {percentile(delays, 0.5):.0f} / {max(delays, default=float('nan')):.0f} ms "
        "| ≤ 1 s |",
        f"| {kind} | errors | | {errors} | none |",
    ]


def run() -> list[str]:
    lines = [
        "## Registration kiosks (issue 6)",
        "",
        f"{KIOSKS} simulated kiosks at {FACILITIES} facilities for {SECONDS:.0f} s, "
        f"a patient every {PATIENT_SECONDS:.0f} s per kiosk (a real one takes ~30 s), "
        f"{DOUBLE_SUBMIT:.0%} of tickets submitted twice; "
        f"uvicorn, {WORKERS} worker(s), client on the same machine; "
        f"{PEOPLE:,} demo people; insurance simulator. Server time = the app's own time "
        "(Server-Timing) summed over identify, departments and ticket.",
        "",
        "| database | measured | size | result | goal |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as temporary:
        for kind in DATABASES:
            lines += bench_database(kind.strip(), Path(temporary))
    return [*lines, ""]


if __name__ == "__main__":
    print("\n".join(run()))
