from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from yteso.core.text import NO_CONTROL_CHARACTERS


class IdentifierKind(StrEnum):
    """VN Core IG NamingSystem names (system = http://fhir.ehealth.gov.vn/core/sid/<kind>)."""

    NATIONAL_ID = "national_id"  # CCCD, 12 digits
    CITIZEN_ID = "citizen_id"  # old CMND, 9 digits
    INSURANCE_NUMBER = "insurance_number"  # BHYT card, 15 characters
    PASSPORT_NUMBER = "passport_number"


SID_BASE = "http://fhir.ehealth.gov.vn/core/sid/"


class Identifier(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: IdentifierKind
    value: str = Field(min_length=1, max_length=32)

    @property
    def system(self) -> str:
        return SID_BASE + self.kind


class PersonIn(BaseModel):
    family_name: str = Field(min_length=1, max_length=60, pattern=NO_CONTROL_CHARACTERS)
    middle_name: str = Field(default="", max_length=120, pattern=NO_CONTROL_CHARACTERS)
    given_name: str = Field(min_length=1, max_length=60, pattern=NO_CONTROL_CHARACTERS)
    sex: int = Field(ge=1, le=3)
    birth_date: date | None = None
    birth_date_precision: str = Field(default="day", pattern="^(day|month|year)$")
    commune_code: str | None = Field(default=None, pattern=r"^[0-9]{5}$")
    address_line: str | None = Field(default=None, max_length=255, pattern=NO_CONTROL_CHARACTERS)
    phone: str | None = Field(default=None, pattern=r"^0[0-9]{9,10}$")
    identifiers: list[Identifier] = Field(default_factory=list)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    full_name: str
    family_name: str
    middle_name: str
    given_name: str
    sex: int
    birth_date: date | None
    birth_date_precision: str
    commune_code: str | None
    address_line: str | None
    phone: str | None
    is_demo: bool
    identifiers: list[Identifier]


class SourceRecordIn(BaseModel):
    """One facility's patient record to match: from the kiosk, claims intake or the FHIR API.

    Unknown values stay empty. Malformed identifiers are reported back, never matched on.
    """

    facility_code: str = Field(pattern=r"^[0-9A-Z]{5}$", description="MA_CSKCB")
    local_id: str = Field(min_length=1, max_length=50, description="MA_BN at that facility")
    origin: str = Field(default="api", pattern="^(kiosk|claims|fhir|api)$")
    full_name: str = Field(default="", max_length=255)
    birth_date: str = Field(default="", max_length=10, description="YYYY-MM-DD, YYYY-MM or YYYY")
    sex: int = Field(default=3, ge=1, le=3)
    identifiers: list[Identifier] = Field(default_factory=list)
    commune_code: str | None = Field(default=None, max_length=5)
    address_line: str | None = Field(default=None, max_length=255, pattern=NO_CONTROL_CHARACTERS)
    phone: str | None = Field(default=None, max_length=15)


class FieldEvidenceOut(BaseModel):
    field: str
    level: str
    weight: float


class ProblemOut(BaseModel):
    field: str
    message: str
    value: str | None = None


class MatchDecisionOut(BaseModel):
    """What the index decided for one incoming record, and why."""

    outcome: str  # link, review, new
    person_id: int
    source_record_id: int
    rule: str
    score: float | None
    probability: float | None
    candidate_person_id: int | None
    needs_review: bool
    explanation: list[FieldEvidenceOut]
    problems: list[ProblemOut]
    warnings: list[str]


class SourceRecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    facility_code: str
    local_id: str
    person_id: int
    origin: str
    full_name: str
    birth_date: str
    sex: int
    identifiers: dict[str, str]
    commune_code: str | None
    phone: str | None
    needs_review: bool


class ReviewItemOut(BaseModel):
    id: int
    status: str
    reason: str
    score: float | None
    explanation: list[FieldEvidenceOut]
    record: SourceRecordOut
    candidate: PersonOut | None


class MergeOut(BaseModel):
    id: int
    survivor_id: int
    merged_id: int
    source_record_ids: list[int]
    undone: bool


class LinkEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source_record_id: int
    person_id: int
    action: str
    rule: str
    score: float | None
    explanation: list[FieldEvidenceOut]
    actor: str | None
    created_at: datetime


class PersonLinksOut(BaseModel):
    """A person's linked source records, link history and merges."""

    person_id: int
    source_records: list[SourceRecordOut]
    history: list[LinkEventOut]
    merges: list[MergeOut]
