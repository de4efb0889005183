"""Full claims intake (issue 5): parse + validate + raw file + episode versions + FHIR
resources written to the shared record (patient index, resources, search indexes, audit),
on SQLite and PostgreSQL:

- one-episode files (as a HIS sends them) committed one by one, then BACKFILL_FILES per
  commit;
- batch files of BATCH_EPISODES episodes (the store's bulk path), one commit per file, from
  one process, then with the back-fill command's SUBMITTERS worker processes (spawned
  within the time measured);
- one-episode files of one facility with the same command (a HIS archive: the command
  writes such small files 200 at a time, claims.group_intake).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.orm import Session, sessionmaker

from support import database
from yteso.claims import new_envelope, service
from yteso.claims.backfill import submit_files
from yteso.claims.xml_writer import DECLARATION, envelope_text
from yteso.core.auth import Principal
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.migrations import upgrade
from yteso.records import Caller
from yteso.synth.episodes import GeneratedEpisode

BACKFILL_FILES = 200
BATCH_EPISODES = 200
SUBMITTERS = 2
Files = list[tuple[str, bytes]]


@dataclass(frozen=True)
class Intake:
    """Episodes per second of each way of sending."""

    per_file: float
    backfill: float
    batches: float
    parallel: float
    per_file_parallel: float


@dataclass(frozen=True)
class Sets:
    """The files of each way of sending, each new to the store."""

    per_file: Files  # one episode each, committed one by one
    backfill: Files  # one episode each, BACKFILL_FILES per commit
    batches: Files
    parallel: Files  # batch files for the command
    per_file_parallel: Files  # one-episode files for the command


def sender(facility: str) -> Caller:
    return Caller(Principal("client", f"his-{facility}", "HIS", "his", facility), None)


def batch_files(items: list[GeneratedEpisode], size: int = BATCH_EPISODES) -> Files:
    """Files of `size` episodes each, all re-homed to facility 19001 (a submission is one
    facility's; the command sends one facility's files)."""
    for item in items:
        for document in item.episode.documents:
            for record in document.records:
                if "MA_CSKCB" in record:
                    record["MA_CSKCB"] = "19001"
    envelopes = [
        new_envelope("19001", "20250301", [i.episode for i in items[s : s + size]])
        for s in range(0, len(items), size)
    ]
    return [("19001", (DECLARATION + envelope_text(e)).encode()) for e in envelopes]


def _timed(factory: sessionmaker[Session], files: Files, per_commit: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(files), per_commit):
        with unit_of_work(factory) as session:
            for code, raw in files[start : start + per_commit]:
                result = service.submit(session, raw, code, sender(code))
                assert result.outcome == "accepted", result.findings[:3]
    return time.perf_counter() - started


def _parallel(url: str, files: Files, folder: Path, name: str) -> float:
    """Episodes/s of `yteso claims submit --workers SUBMITTERS` on the files, from the start
    (worker processes spawned) to the last commit."""
    paths = []
    for n, (_code, raw) in enumerate(files):
        paths.append(folder / f"{name}-{n:05d}.xml")
        paths[-1].write_bytes(raw)
    os.environ["YTESO_DATABASE_URL"] = url
    started = time.perf_counter()
    outcomes = list(submit_files(paths, "19001", SUBMITTERS))
    seconds = time.perf_counter() - started
    assert all(o.outcome == "accepted" for o in outcomes), [o.problems for o in outcomes][:3]
    return sum(o.episodes for o in outcomes) / seconds


def measure(url: str, folder: Path, sets: Sets) -> Intake:
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    per_file = len(sets.per_file) / _timed(factory, sets.per_file, 1)
    backfill = len(sets.backfill) / _timed(factory, sets.backfill, BACKFILL_FILES)
    batched = len(sets.batches) * BATCH_EPISODES / _timed(factory, sets.batches, 1)
    engine.dispose()
    parallel = _parallel(url, sets.parallel, folder, "batch")
    return Intake(
        per_file, backfill, batched, parallel, _parallel(url, sets.per_file_parallel, folder, "one")
    )


def measure_on(kind: str, folder: Path, sets: Sets) -> Intake | str:
    """The figures on a new database of `kind`, or why they could not be taken."""
    try:
        with database(kind, folder, "claims") as url:
            return measure(url.replace("postgresql://", "postgresql+psycopg://"), folder, sets)
    except psycopg.OperationalError as error:
        return f"not measured ({type(error).__name__})"


def _figure(intake: Intake | str, name: str) -> str:
    return intake if isinstance(intake, str) else f"{getattr(intake, name):,.0f} episodes/s"


def rows(episodes: int, together: int, sqlite: Intake | str, postgres: Intake | str) -> list[str]:
    """Table rows (measured | count | rate | goal) of both databases."""
    ways = [
        ("commit per file", "per_file", episodes),
        (f"back-fill ({BACKFILL_FILES} files per commit)", "backfill", episodes),
        (f"batch files of {BATCH_EPISODES} episodes, commit per file", "batches", episodes),
        (f"batch files, `yteso claims submit --workers {SUBMITTERS}`", "parallel", together),
        (
            f"one-episode files, `yteso claims submit --workers {SUBMITTERS}`",
            "per_file_parallel",
            episodes,
        ),
    ]
    lines = []
    for title, name, count in ways:
        for kind, intake, goal in [("SQLite", sqlite, "≥ 500"), ("PostgreSQL", postgres, "≥ 300")]:
            rate = _figure(intake, name)
            lines.append(f"| full intake on {kind}, {title} | {count:,} | {rate} | {goal} |")
    return lines
