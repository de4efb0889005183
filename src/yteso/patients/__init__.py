"""Patient index: one person per citizen across every facility.

`match_record` is the one match function for the kiosk, claims intake and the FHIR API.
"""

from yteso.patients.identifiers import (
    CccdQr,
    InvalidIdentifier,
    cccd_birth_year_and_sex,
    parse_bhyt,
    parse_cccd_qr,
)
from yteso.patients.linking import match_record, match_records
from yteso.patients.matching import Outcome, Thresholds
from yteso.patients.schemas import (
    Identifier,
    IdentifierKind,
    MatchDecisionOut,
    PersonIn,
    PersonOut,
    SourceRecordIn,
)
from yteso.patients.service import (
    add_person,
    bulk_add_people,
    count_people,
    find_by_identifier,
    get_person,
    people_by_identifiers,
    search_by_name,
)

__all__ = [
    "CccdQr",
    "Identifier",
    "IdentifierKind",
    "InvalidIdentifier",
    "MatchDecisionOut",
    "Outcome",
    "PersonIn",
    "PersonOut",
    "SourceRecordIn",
    "Thresholds",
    "add_person",
    "bulk_add_people",
    "cccd_birth_year_and_sex",
    "count_people",
    "find_by_identifier",
    "get_person",
    "match_record",
    "match_records",
    "parse_bhyt",
    "parse_cccd_qr",
    "people_by_identifiers",
    "search_by_name",
]
