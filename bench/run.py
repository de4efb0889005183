"""`make bench`: the foundation's figures, measured in one run on this machine.

- generating the synthetic population (1,000,000 people; goal < 2 minutes);
- seeding it into a fresh SQLite database (the `yteso demo seed` path);
- start-up: migrating an empty database, creating the app, first /readyz answer.

Prints a table and writes it to bench/RESULTS.md (figures of the latest run).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient

from yteso import facilities
from yteso.app import create_app
from yteso.core.cli_support import progress_bar
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.core.settings import Settings
from yteso.migrations import upgrade
from yteso.synth.people import generate_people
from yteso.synth.seed import seed_demo

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "1000000"))
RESULTS = Path(__file__).with_name("RESULTS.md")


def _machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


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


def bench_startup(folder: Path) -> tuple[float, float]:
    url = f"sqlite:///{folder / 'startup.db'}"
    started = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter() - started
    with TestClient(create_app(Settings(database_url=url, log_level="WARNING"))) as client:
        assert client.get("/readyz").status_code == 200
    return migrated, time.perf_counter() - started


def main() -> None:
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        generate = bench_generate()
        seed = bench_seed(folder)
        migrated, ready = bench_startup(folder)
    rows = [
        (
            "generate people (in memory)",
            f"{PEOPLE:,}",
            f"{generate:.1f} s",
            f"{PEOPLE / generate:,.0f} people/s",
            "< 120 s for 1,000,000",
        ),
        (
            "seed demo province into SQLite",
            f"{PEOPLE:,}",
            f"{seed:.1f} s",
            f"{PEOPLE / seed:,.0f} people/s",
            "< 120 s for 1,000,000",
        ),
        ("start-up: migrate empty SQLite", "-", f"{migrated:.2f} s", "", ""),
        ("start-up: migrate + app + first /readyz", "-", f"{ready:.2f} s", "", ""),
    ]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmark results",
        "",
        f"Latest `make bench`: {stamp}, on {_machine()}, {sys.platform}.",
        "",
        "## Foundation (issue 2)",
        "",
        "| measured | count | time | rate | goal |",
        "|---|---|---|---|---|",
        *(f"| {' | '.join(row)} |" for row in rows),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
