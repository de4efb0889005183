"""The foundation's figures (issue 2).

- generating the synthetic population (1,000,000 people; goal < 2 minutes);
- seeding it into a fresh SQLite database (the `yteso demo seed` path);
- start-up: `yteso serve` on an empty database (migrations included) to the first /readyz.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from yteso import facilities
from yteso.core.cli_support import progress_bar
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.core.settings import Settings
from yteso.migrations import upgrade
from yteso.synth.people import generate_people
from yteso.synth.seed import seed_demo

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))


def _timed(label: str, total: int, work: Callable[[Callable[[int], None]], None]) -> float:
    with progress_bar() as bar:
        task = bar.add_task(label, total=total)
        started = time.perf_counter()
        work(lambda n: bar.advance(task, n))
        return time.perf_counter() - started


def bench_generate() -> float:
    def work(advance: Callable[[int], None]) -> None:
        for index, _person in enumerate(generate_people(PEOPLE, seed=1), start=1):
            if index % 10_000 == 0:
                advance(10_000)

    return _timed("Sinh người mẫu (chỉ bộ nhớ)", PEOPLE, work)


def bench_seed(folder: Path) -> float:
    url = f"sqlite:///{folder / 'seed.db'}"
    upgrade(url)
    settings = Settings(database_url=url)
    rules = facilities.RegistryRules(settings.province_code, settings.facility_prefixes)
    engine = make_engine(url)

    def work(advance: Callable[[int], None]) -> None:
        with unit_of_work(make_session_factory(engine)) as session:
            seed_demo(session, PEOPLE, 1, rules, advance)

    seconds = _timed("Nạp tỉnh mẫu vào SQLite", PEOPLE, work)
    engine.dispose()
    return seconds


def bench_startup(folder: Path) -> float:
    """Wall time from `yteso serve` on an empty database to the first ready answer."""
    url = f"sqlite:///{folder / 'startup.db'}"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {**os.environ, "YTESO_DATABASE_URL": url, "YTESO_LOG_LEVEL": "WARNING"}
    command = [str(Path(sys.executable).with_name("yteso")), "serve", "--port", str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=environment, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("yteso serve did not become ready in 60 s")
    finally:
        server.terminate()
        server.wait(timeout=10)


def run() -> list[str]:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        generate = bench_generate()
        seed = bench_seed(folder)
        ready = bench_startup(folder)
    goal = "< 120 s for 1,000,000"
    rows = [
        (
            "generate people (in memory)",
            f"{PEOPLE:,}",
            f"{generate:.1f} s",
            f"{PEOPLE / generate:,.0f} people/s",
            goal,
        ),
        (
            "seed demo province into SQLite",
            f"{PEOPLE:,}",
            f"{seed:.1f} s",
            f"{PEOPLE / seed:,.0f} people/s",
            goal,
        ),
        (
            "start-up: `yteso serve`, empty database, to first /readyz 200",
            "-",
            f"{ready:.2f} s",
            "",
            "",
        ),
    ]
    return [
        "## Foundation (issue 2)",
        "",
        "| measured | count | time | rate | goal |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
    ]
