"""Claims figures (issue 5), for a typical episode: XML1 + 10 drug lines + 10 service lines
+ 5 lab results (+ papers where the episode has them).

- validation alone, one core (goal ≥ 2,000 episodes/s), with per-episode percentiles;
- parsing envelopes (base64 inner documents, defusedxml), and a streamed batch of
  BENCH_CLAIM_BATCH_MB (default 500) read in a child process: its peak memory;
- mapping an episode to FHIR resources alone (pure, one core);
- full intake on both databases: bench/claims_intake.py.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from claims_intake import BATCH_EPISODES, SUBMITTERS, Sets, batch_files, measure_on, rows
from yteso.claims import iter_submission, new_envelope, validate_episode
from yteso.claims.fhir_mapping import map_episode
from yteso.claims.xml_writer import DECLARATION, envelope_text
from yteso.synth.episodes import GeneratedEpisode, generate_episodes

EPISODES = int(os.environ.get("BENCH_CLAIM_EPISODES", "5000"))
INTAKE = int(os.environ.get("BENCH_CLAIM_INTAKE", "1000"))
BATCH_MB = int(os.environ.get("BENCH_CLAIM_BATCH_MB", "500"))
TYPICAL = (10, 10, 5)


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1]


def bench_validation(items: list[GeneratedEpisode]) -> tuple[float, float, float, float]:
    """(episodes per CPU second, per wall second, p50 and p99 µs): CPU time is the figure
    for "one core" on a shared machine; wall time is shown next to it."""
    validate_episode(items[0].episode)  # loads ICD-10 once
    times = []
    cpu, wall = time.process_time(), time.perf_counter()
    for item in items:
        begin = time.perf_counter()
        validate_episode(item.episode, None, item.facility_code)
        times.append(time.perf_counter() - begin)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    p50, p99 = _percentile(times, 0.5) * 1e6, _percentile(times, 0.99) * 1e6
    return len(items) / cpu, len(items) / wall, p50, p99


def bench_mapping(items: list[GeneratedEpisode]) -> tuple[float, float]:
    """(episodes per CPU second, resources per episode) of the pure QĐ 130 → FHIR mapping."""
    map_episode(items[0].facility_code, items[0].episode, "urn:yteso:claims:b")  # ICD-10 loaded
    resources = 0
    cpu = time.process_time()
    for item in items:
        resources += len(
            map_episode(item.facility_code, item.episode, "urn:yteso:claims:b").resources
        )
    return len(items) / (time.process_time() - cpu), resources / len(items) + 1  # + Patient


def _files(items: list[GeneratedEpisode]) -> list[tuple[str, bytes]]:
    return [
        (
            i.facility_code,
            (
                DECLARATION + envelope_text(new_envelope(i.facility_code, "20250301", [i.episode]))
            ).encode(),
        )
        for i in items
    ]


def bench_parse(files: list[tuple[str, bytes]]) -> float:
    started = time.perf_counter()
    for _code, raw in files:
        for _event in iter_submission(io.BytesIO(raw)):
            pass
    return len(files) / (time.perf_counter() - started)


# VmHWM (peak RSS) of /proc, not ru_maxrss: the latter keeps the parent's peak across exec.
_CHILD = """
import sys, time
from yteso.claims import iter_submission

def peak_mb():
    with open("/proc/self/status") as status:
        line = next(l for l in status if l.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024

before = peak_mb()
started = time.perf_counter()
count = sum(1 for _ in iter_submission(sys.argv[1]))
print(count, time.perf_counter() - started, before, peak_mb())
"""


def bench_batch(
    files: list[tuple[str, bytes]], folder: Path
) -> tuple[float, int, float, float, float]:
    """(MB, episodes, seconds, RSS before, peak RSS in MB) for a batch of about BATCH_MB."""
    path = folder / "batch.xml"
    bodies = [raw[len(DECLARATION) :] for _code, raw in files]
    size = sum(len(b) for b in bodies)
    rounds = max(1, BATCH_MB * 2**20 // size)
    with path.open("wb") as out:
        out.write(f"{DECLARATION}<DANHSACH_GIAMDINHHS>".encode())
        for _ in range(rounds):
            out.writelines(bodies)
        out.write(b"</DANHSACH_GIAMDINHHS>")
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, str(path)], check=True, capture_output=True, text=True
    )
    events, seconds, before, peak = child.stdout.split()
    episodes = int(events) // 2  # one episode and one envelope end per file
    return path.stat().st_size / 2**20, episodes, float(seconds), float(before), float(peak)


def run() -> list[str]:
    items = list(generate_episodes(max(EPISODES, INTAKE), seed=1, lines=TYPICAL))
    files = _files(items[:INTAKE])
    more = _files(list(generate_episodes(INTAKE, seed=2, lines=TYPICAL)))
    batches = batch_files(list(generate_episodes(INTAKE, seed=3, lines=TYPICAL)))
    pair = SUBMITTERS * BATCH_EPISODES * max(1, -(-INTAKE // BATCH_EPISODES))
    together = batch_files(list(generate_episodes(pair, seed=5, lines=TYPICAL)))
    singles = batch_files(list(generate_episodes(INTAKE, seed=6, lines=TYPICAL)), size=1)
    sets = Sets(files, more, batches, together, singles)
    rate, wall_rate, p50, p99 = bench_validation(items[:EPISODES])
    mapping, per_episode = bench_mapping(items[:EPISODES])
    parse = bench_parse(files[:1000])
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        batch_mb, batch_episodes, batch_seconds, before, peak = bench_batch(files[:500], folder)
        sqlite = measure_on("sqlite", folder, sets)
        postgres = measure_on("postgresql", folder, sets)
    size = statistics.mean(len(raw) for _c, raw in files) / 1024
    return [
        "## Claims (issue 5)",
        "",
        f"Typical episode: XML1 + 10 drug lines + 10 service lines + 5 lab results "
        f"(+ papers when the episode has them), {size:.0f} KiB as an envelope.",
        "",
        "| measured | count | rate | goal |",
        "|---|---|---|---|",
        f"| validation alone, one core (p50 {p50:.0f} µs, p99 {p99:.0f} µs per episode; "
        f"{wall_rate:,.0f}/s by wall clock) | {EPISODES:,} | {rate:,.0f} episodes per CPU "
        "second | ≥ 2,000 |",
        f"| mapping to FHIR alone (pure, ~{per_episode:.0f} resources per episode) | "
        f"{EPISODES:,} | {mapping:,.0f} episodes per CPU second | |",
        f"| parse envelopes (defusedxml, base64 inner documents) | 1,000 | {parse:,.0f} "
        "episodes/s | |",
        f"| streamed batch of {batch_mb:,.0f} MB: RSS of the reading process {before:,.0f} MB "
        f"after imports, {peak:,.0f} MB peak | {batch_episodes:,} | "
        f"{batch_episodes / batch_seconds:,.0f} "
        "episodes/s | memory ≪ file size |",
        *rows(INTAKE, pair, sqlite, postgres),
        "",
        "One episode per file except the batch files. Per-file episodes are written as record "
        "store transaction Bundles (PUT per resource), except by the command, which writes "
        "small files 200 at a time through the store's bulk import; files of 50 or more "
        "episodes go through the bulk import too (their new Patients matched in one batch of "
        "the patient index and imported with the persons found). Each way starts on the "
        "store the previous ones left (SQLite and PostgreSQL each in a new database). "
        "Where the time goes: docs/claims-mapping.md.",
        "",
    ]
