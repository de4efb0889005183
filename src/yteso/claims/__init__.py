"""QĐ 130 claim data: parse, validate, write, intake and timeliness (issue 5)."""

from yteso.claims.envelope import ClaimDocument, Envelope, Episode, Record
from yteso.claims.findings import FINDING_KEYS, Finding, has_errors
from yteso.claims.money import cents, split
from yteso.claims.service import EpisodeOutcome, IntakeResult, envelope_facility, submit
from yteso.claims.timeliness import TimelinessRate, rates
from yteso.claims.validator import iter_findings, validate_document, validate_episode, validate_file
from yteso.claims.xml_parser import iter_submission, parse_envelopes
from yteso.claims.xml_writer import new_envelope, write_batch, write_document, write_envelope

__all__ = [
    "FINDING_KEYS",
    "ClaimDocument",
    "Envelope",
    "Episode",
    "EpisodeOutcome",
    "Finding",
    "IntakeResult",
    "Record",
    "TimelinessRate",
    "cents",
    "envelope_facility",
    "has_errors",
    "iter_findings",
    "iter_submission",
    "new_envelope",
    "parse_envelopes",
    "rates",
    "split",
    "submit",
    "validate_document",
    "validate_episode",
    "validate_file",
    "write_batch",
    "write_document",
    "write_envelope",
]
