"""Intake of QĐ 130 submissions: validate, store the raw file, version the episodes, and
write each new or changed episode to the shared record (fhir_intake).

The whole file or nothing: any error finding, or a refusal of the record store, rejects the
file and nothing is stored (the intake runs in a savepoint). A resend of an MA_LK with new
content adds a version and keeps the old one; a file identical to one whose episodes are all
still current, or an episode identical to its current version, changes nothing. Services
never commit: the caller's unit of work does.
"""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from yteso.claims import repository
from yteso.claims.fhir_intake import MappingFailed, PlannedFile, plan_episodes, record_episodes
from yteso.claims.findings import Finding, has_errors
from yteso.claims.intake_checks import intake_findings
from yteso.claims.models import ClaimDocument, ClaimEpisode
from yteso.claims.timeliness import VIETNAM, delay_seconds, local_moment
from yteso.claims.validator import CheckedSubmission, check_submission
from yteso.claims.xml_parser import ParsedEpisode, read_facility_code
from yteso.core.audit import record
from yteso.core.auth import Principal
from yteso.core.collector import cyclic_gc_paused
from yteso.core.db import utcnow
from yteso.core.errors import Conflict
from yteso.records import Caller

T = TypeVar("T")
SOURCE = "urn:yteso:claims:"  # meta.source of every resource, + maGiaoDich
Outcome = Literal["accepted", "unchanged", "rejected"]
Change = Literal["new", "replaced", "unchanged"]


@dataclass(frozen=True, slots=True)
class EpisodeOutcome:
    ma_lk: str
    version: int
    change: Change


@dataclass(slots=True)
class IntakeResult:
    outcome: Outcome
    transaction_id: str
    received_at: datetime
    findings: list[Finding] = field(default_factory=list)
    episodes: list[EpisodeOutcome] = field(default_factory=list)

    @property
    def received_local(self) -> str:
        """thoiGianTiepNhan: yyyyMMddHHmmss, Vietnam time like the portal."""
        return self.received_at.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def envelope_facility(raw: bytes) -> str | None:
    """THONGTINDONVI/MACSKCB of the (first) envelope, read without parsing the episodes."""
    return read_facility_code(io.BytesIO(raw))


# PostgreSQL's deadlock and serialization failures (SQLSTATE).
_LOST_RACE_STATES = ("40P01", "40001")


def lost_a_race(error: BaseException) -> bool:
    """An intake that met another writer's rows not yet committed (the same new person, the
    same MA_LK): rolled back and run once more, it finds them committed."""
    if isinstance(error, IntegrityError | Conflict):
        return True
    state = getattr(getattr(error, "orig", None), "sqlstate", None)
    return isinstance(error, OperationalError) and state in _LOST_RACE_STATES


def once_more_after_a_race(run: Callable[[], T], roll_back: Callable[[], None]) -> T:
    """`run` (an intake), and when it lost a race (`lost_a_race`), `roll_back` then `run`
    once more: the other writer has committed by then, and the second run finds its rows."""
    try:
        return run()
    except Exception as error:
        if not lost_a_race(error):
            raise
    roll_back()
    return run()


def audit_submission(
    session: Session, principal: Principal, result: IntakeResult, address: str | None
) -> None:
    """The submission's audit event, committed with it: outcome, episodes, finding rules."""
    rules = ", ".join(sorted({f.rule for f in result.findings}))
    record(
        session,
        principal,
        "submit",
        "ClaimSubmission",
        result.transaction_id,
        "success" if result.outcome != "rejected" else "failure",
        f"{result.outcome}: {len(result.episodes)} hồ sơ, {len(result.findings)} phát hiện "
        f"({rules})",
        address,
    )


def submit(
    session: Session,
    raw: bytes,
    facility_code: str,
    sender: Caller,
    file: str | None = None,
    now: datetime | None = None,
) -> IntakeResult:
    """Take one submission from a facility system whose scope is `facility_code`; `sender`
    is its HIS client, who writes the episodes to the shared record."""
    # Parsing and mapping make ~1,000 short-lived containers per episode, none in a cycle:
    # the cyclic collector would rescan them over and over (a fifth of the intake's time).
    with cyclic_gc_paused():
        return _submit(session, raw, facility_code, sender, file, now)


@dataclass(slots=True)
class AcceptedFile:
    """A file that passed its checks and brings new or changed episodes: compared with what
    is stored and ready to map. Nothing of it is written yet."""

    raw: bytes
    sha256: str
    file: str | None
    checked: CheckedSubmission
    comparison: _Comparison
    writer: Caller  # the sender, as the source of this file's resources
    result: IntakeResult


def check_file(
    session: Session,
    raw: bytes,
    facility_code: str,
    sender: Caller,
    file: str | None,
    received_at: datetime,
) -> IntakeResult | AcceptedFile:
    """The file's final result when nothing is to be written (a resend of the same bytes,
    errors, no episode changed), else the file ready to write. Reads only."""
    sha256 = hashlib.sha256(raw).hexdigest()
    known = repository.known_transaction(session, facility_code, sha256)
    if known is not None:
        return IntakeResult("unchanged", known, received_at)
    checked = check_submission(io.BytesIO(raw), file)
    findings = checked.findings + intake_findings(checked, facility_code, received_at, file)
    transaction_id = uuid.uuid4().hex
    if has_errors(findings):
        return IntakeResult("rejected", transaction_id, received_at, findings)
    result = IntakeResult("accepted", transaction_id, received_at, findings)
    # No session factory: a refusal by the store becomes a finding, audited with the
    # submission; its own-transaction audit would wait for this one's write lock (SQLite).
    writer = Caller(sender.principal, None, sender.address, SOURCE + transaction_id)
    comparison = _compare(session, checked.episodes, facility_code)
    if not comparison.changed:
        return _unchanged(result, comparison)
    return AcceptedFile(raw, sha256, file, checked, comparison, writer, result)


def _submit(
    session: Session,
    raw: bytes,
    facility_code: str,
    sender: Caller,
    file: str | None,
    now: datetime | None,
) -> IntakeResult:
    accepted = check_file(session, raw, facility_code, sender, file, now or utcnow())
    if isinstance(accepted, IntakeResult):
        return accepted
    result, writer, comparison = accepted.result, accepted.writer, accepted.comparison
    try:
        # Mapped (and, for a batch file, made into the store's rows) before the first write:
        # on SQLite another submission writes meanwhile.
        planned = _plan(session, accepted, comparison)
        if planned.bulk is not None:
            repository.take_batch_turn(session)
        with session.begin_nested():
            latest = compared_again(session, accepted)
            if latest is not None:
                # Another submission of these MA_LK committed while this one was mapped.
                if not latest.changed:
                    return _unchanged(result, latest)
                comparison, planned = latest, _plan(session, accepted, latest)
            store_file(session, accepted, comparison)
            result.findings += record_episodes(session, writer, planned)
    except MappingFailed as failure:
        result.outcome = "rejected"
        result.findings += failure.findings
        result.episodes = []
    return result


def compared_again(session: Session, accepted: AcceptedFile) -> _Comparison | None:
    """The file's episodes compared once more, inside the write turn: None when no other
    submission of its MA_LK has committed since the first comparison."""
    comparison = accepted.comparison
    latest = _compare(session, accepted.checked.episodes, comparison.facility_code)
    return None if latest.versions() == comparison.versions() else latest


def _unchanged(result: IntakeResult, comparison: _Comparison) -> IntakeResult:
    result.outcome = "unchanged"
    result.episodes = [
        EpisodeOutcome(k, comparison.current[k].version, "unchanged") for k in comparison.ma_lks
    ]
    return result


def _plan(
    session: Session, accepted: AcceptedFile, comparison: _Comparison, bulk: bool = True
) -> PlannedFile:
    changed = [
        (accepted.checked.episodes[i].episode, comparison.current.get(comparison.ma_lks[i]))
        for i in sorted(comparison.changed)
    ]
    facility = comparison.facility_code
    return plan_episodes(session, accepted.writer, facility, changed, accepted.file, bulk)


def plan_file(session: Session, accepted: AcceptedFile) -> PlannedFile:
    """The file's changed episodes mapped, without the store's rows (made for many files
    together by the caller)."""
    return _plan(session, accepted, accepted.comparison, bulk=False)


@dataclass(frozen=True, slots=True)
class _Comparison:
    """A file's episodes against their current versions: which are new or changed."""

    facility_code: str
    ma_lks: list[str]
    current: dict[str, ClaimEpisode]
    changed: set[int]  # positions in the file

    def versions(self) -> dict[str, int]:
        """The current version row of each MA_LK already received."""
        return {ma_lk: episode.id for ma_lk, episode in self.current.items()}


def _compare(session: Session, episodes: list[ParsedEpisode], facility_code: str) -> _Comparison:
    ma_lks = [p.episode.ma_lk or "" for p in episodes]
    current = repository.current_episodes(session, facility_code, ma_lks)
    changed = {
        i
        for i, (key, parsed) in enumerate(zip(ma_lks, episodes, strict=True))
        if key not in current or current[key].content_sha256 != parsed.digest
    }
    return _Comparison(facility_code, ma_lks, current, changed)


def store_file(session: Session, accepted: AcceptedFile, comparison: _Comparison) -> None:
    """Store the raw file and the new versions of its episodes; the outcome of each episode
    goes to the file's result."""
    raw, result, episodes = accepted.raw, accepted.result, accepted.checked.episodes
    facility = comparison.facility_code
    document = _document(raw, accepted.sha256, len(episodes), facility, accepted.writer, result)
    document.episode_digests = [
        [key, parsed.digest] for parsed, key in zip(episodes, comparison.ma_lks, strict=True)
    ]
    session.add(document)
    session.flush()
    for index, (parsed, key) in enumerate(zip(episodes, comparison.ma_lks, strict=True)):
        previous = comparison.current.get(key)
        if index not in comparison.changed and previous is not None:
            result.episodes.append(EpisodeOutcome(key, previous.version, "unchanged"))
            continue
        row = _version(parsed, key, parsed.digest, document, index, previous, result.received_at)
        session.add(row)
        result.episodes.append(EpisodeOutcome(key, row.version, "replaced" if previous else "new"))
    _flush_versions(session)


def _document(
    raw: bytes, sha256: str, count: int, facility_code: str, writer: Caller, result: IntakeResult
) -> ClaimDocument:
    return ClaimDocument(
        transaction_id=result.transaction_id,
        facility_code=facility_code,
        sha256=sha256,
        size_bytes=len(raw),
        content=raw,
        episode_count=count,
        submitted_by=writer.principal.id,
        received_at=result.received_at,
    )


def _flush_versions(session: Session) -> None:
    try:
        session.flush()
    except IntegrityError:
        # Another submission of the same MA_LK committed first: (facility, MA_LK, version)
        # is unique, so this one must be sent again rather than overwrite it.
        raise Conflict(
            "Hồ sơ cùng MA_LK đang được tiếp nhận từ một lần gửi khác; vui lòng gửi lại"
        ) from None


def _version(
    parsed: ParsedEpisode,
    ma_lk: str,
    digest: str,
    document: ClaimDocument,
    index: int,
    previous: ClaimEpisode | None,
    received_at: datetime,
) -> ClaimEpisode:
    summary = parsed.episode.records("XML1")[0]
    ended_at = local_moment(summary.get("NGAY_RA", ""))
    first = received_at
    if previous is not None:
        previous.is_current = False
        first = previous.first_received_at
    return ClaimEpisode(
        facility_code=document.facility_code,
        ma_lk=ma_lk,
        version=previous.version + 1 if previous else 1,
        is_current=True,
        document_id=document.id,
        hoso_index=index,
        content_sha256=digest,
        ma_loai_kcb=summary.get("MA_LOAI_KCB") or None,
        ended_at=ended_at,
        end_day=summary.get("NGAY_RA", "")[:8] if ended_at else None,
        received_at=received_at,
        first_received_at=first,
        delay_seconds=delay_seconds(ended_at, first),
    )
