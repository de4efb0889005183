from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


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
    family_name: str = Field(min_length=1, max_length=60)
    middle_name: str = Field(default="", max_length=120)
    given_name: str = Field(min_length=1, max_length=60)
    sex: int = Field(ge=1, le=3)
    birth_date: date | None = None
    birth_date_precision: str = Field(default="day", pattern="^(day|month|year)$")
    commune_code: str | None = Field(default=None, pattern=r"^\d{5}$")
    address_line: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, pattern=r"^0\d{9,10}$")
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
