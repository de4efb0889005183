"""Back-filling a facility's QĐ 130 files from disk (`yteso claims submit`).

Each file is taken like a submission to the API: the same checks, the same report and
audit event, as the facility's HIS, the whole file or nothing. Small files (a HIS archive
holds one per episode) go GROUP_FILES at a time in one transaction, their episodes through
the record store's bulk import (group_intake); files that cannot go together, and big
ones, each have their own transaction. Several processes take files at once; intakes take
turns only from their first write (service), so one process parses, validates and maps
while another writes.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from yteso.claims import group_intake, service
from yteso.claims.findings import Finding
from yteso.core.auth import ClientKind, Principal
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.core.errors import DomainError
from yteso.core.settings import load_settings
from yteso.records import Caller

# Error findings kept per rejected file for the report; the audit event counts them all.
REPORTED_FINDINGS = 5
# Files of up to SMALL_FILE bytes go up to GROUP_FILES (and GROUP_BYTES in all) in one
# transaction. 200 one-episode files per commit write ~12 % faster than 50 (both
# databases); the byte bound keeps what a worker holds of a group to 32 MiB of XML.
GROUP_FILES = 200
GROUP_BYTES = 32 << 20
SMALL_FILE = 1 << 20
_WAITING = 2  # jobs (a file or a group) handed to each worker ahead
_factory: sessionmaker[Session] | None = None


@dataclass(frozen=True, slots=True)
class FileOutcome:
    """What became of one file."""

    path: str
    outcome: str  # accepted, unchanged, rejected, or failed (the intake raised)
    transaction_id: str
    episodes: int
    problems: tuple[str, ...] = ()


def _sender(facility: str) -> Principal:
    """The facility's HIS, as the command acts for it."""
    return Principal("client", "cli-claims-submit", "yteso claims submit", ClientKind.HIS, facility)


def submit_files(paths: Sequence[Path], facility: str, workers: int) -> Iterator[FileOutcome]:
    """Submit every file (in `workers` processes when more than one), yielding each one's
    outcome as it ends. At most a few jobs per worker wait their turn at a time, so a
    back-fill of a million files holds a million paths, not a million pending tasks."""
    jobs = ((group, facility) for group in _groups(paths))
    if workers <= 1 or len(paths) <= 1:
        for job in jobs:
            yield from _submit_job(job)
        return
    # Spawned, not forked: a worker starts without the connections or threads of this one.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        waiting = {pool.submit(_submit_job, job) for job in islice(jobs, _WAITING * workers)}
        while waiting:
            finished, waiting = wait(waiting, return_when=FIRST_COMPLETED)
            waiting |= {pool.submit(_submit_job, job) for job in islice(jobs, len(finished))}
            for future in finished:
                yield from future.result()


def _groups(paths: Sequence[Path]) -> Iterator[list[str]]:
    """The files in order (a later file may resend an earlier one's episodes), small ones up
    to GROUP_FILES and GROUP_BYTES at a time, each big one alone."""
    group: list[str] = []
    held = 0
    for path in paths:
        size = _size(path)
        if group and (size > SMALL_FILE or held + size > GROUP_BYTES):
            yield group
            group, held = [], 0
        if size > SMALL_FILE:
            yield [str(path)]
            continue
        group.append(str(path))
        held += size
        if len(group) == GROUP_FILES:
            yield group
            group, held = [], 0
    if group:
        yield group


def _size(path: Path) -> int:
    """0 for a file that cannot be read: its job then reports why."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _session_factory() -> sessionmaker[Session]:
    global _factory
    if _factory is None:
        _factory = make_session_factory(make_engine(load_settings().database_url))
    return _factory


def _submit_job(job: tuple[list[str], str]) -> list[FileOutcome]:
    """Each file's outcome: together when they can go together, else one by one."""
    paths, facility = job
    if len(paths) > 1:
        together = _together(paths, facility)
        if together is not None:
            return together
    return [_submit_alone(path, facility) for path in paths]


def _together(paths: list[str], facility: str) -> list[FileOutcome] | None:
    principal = _sender(facility)
    sender = Caller(principal, None)

    def run() -> list[FileOutcome] | None:
        with unit_of_work(_session_factory()) as session:
            files = [(Path(p).read_bytes(), Path(p).name) for p in paths]
            results = group_intake.submit_together(session, files, facility, sender)
            for result in results or []:
                service.audit_submission(session, principal, result, None)
        return [_outcome(p, r) for p, r in zip(paths, results, strict=True)] if results else None

    try:
        return service.once_more_after_a_race(run, _nothing)
    except Exception:  # taken one by one, each file reports what went wrong with it
        return None


def _submit_alone(path: str, facility: str) -> FileOutcome:
    """The file's outcome, whatever happens to it: one file's failure does not stop the
    back-fill, and is reported with the others."""
    try:
        raw = Path(path).read_bytes()
        # Each run has its own transaction: nothing to roll back between them.
        return service.once_more_after_a_race(lambda: _submit_once(path, raw, facility), _nothing)
    except DomainError as error:
        return FileOutcome(path, "failed", "", 0, (error.message,))
    except Exception as error:
        first_line = str(error).splitlines()[0][:300] if str(error) else ""
        return FileOutcome(path, "failed", "", 0, (f"{type(error).__name__}: {first_line}",))


def _nothing() -> None:
    pass


def _submit_once(path: str, raw: bytes, facility: str) -> FileOutcome:
    principal = _sender(facility)
    with unit_of_work(_session_factory()) as session:
        result = service.submit(session, raw, facility, Caller(principal, None), Path(path).name)
        service.audit_submission(session, principal, result, None)
    return _outcome(path, result)


def _outcome(path: str, result: service.IntakeResult) -> FileOutcome:
    errors = [f for f in result.findings if f.severity == "error"]
    problems = tuple(_problem(f) for f in errors[:REPORTED_FINDINGS])
    return FileOutcome(path, result.outcome, result.transaction_id, len(result.episodes), problems)


def _problem(finding: Finding) -> str:
    place = " ".join(v for v in (finding.ma_lk, finding.table, finding.field) if v)
    return f"{finding.rule} {place}: {finding.message_vi}".strip()
