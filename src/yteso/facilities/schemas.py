from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from yteso.facilities.vocabulary import EmrStatus, FacilityKind, Owner, TechnicalLevel


class Department(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra="forbid")

    code: str = Field(min_length=1, max_length=20, description="MA_KHOA, e.g. K01")
    name: str = Field(min_length=1, max_length=255)


class FacilityIn(BaseModel):
    """A facility as a department analyst registers it."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(description="MA_CSKCB: 5 digits, the first 2 the province of issue")
    name: str = Field(min_length=3, max_length=255)
    kind: FacilityKind
    owner: Owner
    technical_level: TechnicalLevel
    commune_code: str = Field(description="Commune (xã/phường) code after 07/2025, 5 digits")
    address: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=20)
    emr_status: EmrStatus = EmrStatus.NOT_STARTED
    iso15189_lab: bool = False
    telemedicine_hub: bool = False
    departments: list[Department] = Field(default_factory=list)


class FacilityUpdate(BaseModel):
    """Changes to a facility; fields left out stay as they are. The code never changes."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=3, max_length=255)
    kind: FacilityKind | None = None
    owner: Owner | None = None
    technical_level: TechnicalLevel | None = None
    commune_code: str | None = None
    address: str | None = Field(default=None, max_length=255)
    phone: str | None = Field(default=None, max_length=20)
    emr_status: EmrStatus | None = None
    iso15189_lab: bool | None = None
    telemedicine_hub: bool | None = None
    departments: list[Department] | None = None


class FacilityOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    kind: str
    owner: str
    technical_level: str
    commune_code: str
    commune_name: str | None = None
    address: str | None
    phone: str | None
    emr_status: str
    iso15189_lab: bool
    telemedicine_hub: bool
    active: bool
    is_demo: bool
    departments: list[Department]
    updated_at: datetime


class FacilityFilter(BaseModel):
    q: str | None = None
    kind: FacilityKind | None = None
    owner: Owner | None = None
    technical_level: TechnicalLevel | None = None
    commune_code: str | None = None
    emr_status: EmrStatus | None = None
    iso15189_lab: bool | None = None
    telemedicine_hub: bool | None = None
    active: bool | None = True


class FacilityPage(BaseModel):
    items: list[FacilityOut]
    total: int
    limit: int
    offset: int
