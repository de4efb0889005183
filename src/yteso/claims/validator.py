"""The validator: a submission in, the portal's kind of report out (a list of `Finding`).

Field rules (field_rules), money (money), episode rules (episode_rules) and the parser's
findings, for envelopes, batches and single table documents. Streaming: a batch is checked
one episode at a time; only the MA_LK seen so far are kept (duplicates in one file).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from yteso.claims import episode_rules, formats, money
from yteso.claims.envelope import ClaimDocument, Episode, Record
from yteso.claims.field_rules import check_record, finding_of
from yteso.claims.findings import Finding, Where
from yteso.claims.xml_parser import (
    EnvelopeEnd,
    ParsedEpisode,
    ParseEvent,
    iter_submission,
)


def _summary(episode: Episode) -> Record | None:
    records = episode.records("XML1")
    return records[0] if records else None


def validate_document(
    document: ClaimDocument, file: str | None = None, ma_lk: str | None = None, lines: bool = True
) -> list[Finding]:
    """Field rules of every record, and (`lines`) the money rules of XML2/XML3 lines."""
    found: list[Finding] = []
    table = document.table
    money_lines = lines and table in money.LINE_TABLES
    for record in document.records:
        where = Where(file, ma_lk or record.get("MA_LK"), table, record.get("STT"))
        found += check_record(table, record, where)
        values = money.line_values(table, record) if money_lines else None
        if values is not None:
            found += money.check_line(table, values, where)
    return found


def validate_episode(
    episode: Episode, file: str | None = None, facility_code: str | None = None
) -> list[Finding]:
    summary = _summary(episode)
    ma_lk = summary.get("MA_LK") if summary else episode.ma_lk
    where = Where(file, ma_lk, "XML1", summary.get("STT") if summary else None)
    found = episode_rules.check_tables(episode, summary, Where(file, ma_lk))
    found += episode_rules.check_links(episode, ma_lk, file)
    found += episode_rules.check_line_times(episode, ma_lk, file)
    found += episode_rules.check_service_diagnoses(episode, ma_lk, file)
    for document in episode.documents:
        found += validate_document(document, file, ma_lk, lines=False)
    found += money.check_money(episode, summary, where)
    if summary is not None:
        found += episode_rules.check_dates(summary, where)
        found += episode_rules.check_diagnoses(summary, where)
        found += _facility(summary, facility_code, where)
    return found


def _facility(summary: Record, facility_code: str | None, where: Where) -> list[Finding]:
    given = summary.get("MA_CSKCB")
    if facility_code is None or not given or given == facility_code:
        return []
    return [
        where.finding(
            "FACILITY_MISMATCH",
            f"MA_CSKCB '{given}' khác MACSKCB '{facility_code}' của tệp gửi.",
            f"MA_CSKCB '{given}' differs from the envelope's MACSKCB '{facility_code}'.",
            field="MA_CSKCB",
        )
    ]


def _summary_rules(document: ClaimDocument, file: str | None) -> list[Finding]:
    """An XML1 sent alone: the rules that need only the summary (dates, diagnoses)."""
    found: list[Finding] = []
    if document.table != "XML1":
        return found
    for summary in document.records:
        where = Where(file, summary.get("MA_LK"), "XML1", summary.get("STT"))
        found += episode_rules.check_dates(summary, where)
        found += episode_rules.check_diagnoses(summary, where)
    return found


def _envelope_header(end: EnvelopeEnd, file: str | None) -> list[Finding]:
    """MACSKCB (5 digits) and NGAYLAP (yyyymmdd) of the envelope."""
    found = []
    for name, value, checker in (
        ("MACSKCB", end.facility_code, formats.FIELD_FORMATS["MA_CSKCB"]),
        ("NGAYLAP", end.created, formats.FIELD_FORMATS["NGAY_CT"]),
    ):
        problem = (
            checker(value)
            if value
            else ("REQUIRED", f"Thiếu {name} trong phong bì.", f"The envelope has no {name}.")
        )
        if problem is not None:
            found.append(finding_of(problem, Where(file), name))
    return found


def _duplicate(ma_lk: str, file: str | None) -> Finding:
    return Where(file, ma_lk, "XML1").finding(
        "DUPLICATE_MA_LK",
        f"MA_LK '{ma_lk}' xuất hiện ở nhiều hồ sơ trong cùng một tệp.",
        f"MA_LK '{ma_lk}' appears in more than one episode of the same file.",
        field="MA_LK",
    )


class _Checker:
    """Validation state of one stream: the MA_LK seen so far (duplicates in one file)."""

    def __init__(self, file: str | None) -> None:
        self.file = file
        self.seen: set[str] = set()

    def findings(self, event: ParseEvent) -> Iterator[Finding]:
        yield from event.findings
        if isinstance(event, ParsedEpisode):
            ma_lk = event.episode.ma_lk
            if ma_lk is not None and ma_lk in self.seen:
                yield _duplicate(ma_lk, self.file)
            elif ma_lk is not None:
                self.seen.add(ma_lk)
            yield from validate_episode(event.episode, self.file, event.facility_code or None)
        elif isinstance(event, EnvelopeEnd):
            yield from _envelope_header(event, self.file)
        elif event.document is not None:
            yield from validate_document(event.document, self.file)
            yield from _summary_rules(event.document, self.file)


def iter_findings(source: str | IO[bytes], file: str | None = None) -> Iterator[Finding]:
    """Parse and validate a submission (envelope, batch or single table), streaming."""
    checker = _Checker(file)
    for event in iter_submission(source, file):
        yield from checker.findings(event)


@dataclass(slots=True)
class CheckedSubmission:
    """A whole submission parsed and validated in one pass (intake keeps the episodes)."""

    episodes: list[ParsedEpisode] = field(default_factory=list)
    envelopes: list[EnvelopeEnd] = field(default_factory=list)
    single_documents: int = 0  # table documents sent instead of envelopes
    findings: list[Finding] = field(default_factory=list)


def check_submission(source: IO[bytes], file: str | None = None) -> CheckedSubmission:
    checker, result = _Checker(file), CheckedSubmission()
    for event in iter_submission(source, file):
        result.findings.extend(checker.findings(event))
        if isinstance(event, ParsedEpisode):
            result.episodes.append(event)
        elif isinstance(event, EnvelopeEnd):
            result.envelopes.append(event)
        elif event.document is not None:
            result.single_documents += 1
    return result


def validate_file(path: str | Path) -> list[Finding]:
    return list(iter_findings(str(path), Path(path).name))
