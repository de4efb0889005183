"""`make bench`: every benchmark in one run; prints the figures and writes bench/RESULTS.md.

`make bench ONLY=foundation` runs one section. Sizes default to the issues' goals; smaller
runs for a quick look: BENCH_PEOPLE=100000 make bench.
"""

from __future__ import annotations

import importlib
import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
SECTIONS = ["foundation", "records", "claims", "patients", "registration"]


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GiB, Python {platform.python_version()}"


def main() -> None:
    sys.path.insert(0, str(HERE))
    only = os.environ.get("ONLY")
    chosen = [s for s in SECTIONS if not only or s == only]
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["# Benchmark results", "", f"Latest `make bench`: {stamp}, on {machine()}.", ""]
    for section in chosen:
        lines += importlib.import_module(section).run()
    text = "\n".join(lines)
    print(text)
    if not only:
        (HERE / "RESULTS.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
