"""Facility registry JSON API. Reading is open (the registry is public information);
changes need a department role, or the facility's own administrator for its record."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from yteso.core.audit import record as audit
from yteso.core.auth.principal import Principal, Role
from yteso.core.web.deps import (
    AppSettings,
    Db,
    client_address,
    ensure_facility_scope,
    require_roles,
)
from yteso.facilities import service
from yteso.facilities.fhir import organization
from yteso.facilities.schemas import (
    FacilityFilter,
    FacilityIn,
    FacilityOut,
    FacilityPage,
    FacilityUpdate,
)
from yteso.facilities.vocabulary import EmrStatus, FacilityKind, Owner, TechnicalLevel

router = APIRouter(prefix="/api/facilities", tags=["facilities"])

RegistryEditor = Annotated[
    Principal, Depends(require_roles(Role.ADMIN, Role.DOH_ANALYST), scope="function")
]
FacilityEditor = Annotated[
    Principal,
    Depends(require_roles(Role.ADMIN, Role.DOH_ANALYST, Role.FACILITY_ADMIN), scope="function"),
]


def rules(settings: AppSettings) -> service.RegistryRules:
    return service.RegistryRules(settings.province_code, settings.facility_prefixes)


Rules = Annotated[service.RegistryRules, Depends(rules)]


@router.get("", response_model=FacilityPage)
def list_facilities(
    db: Db,
    q: Annotated[str | None, Query(description="Name or code, with or without diacritics")] = None,
    kind: FacilityKind | None = None,
    owner: Owner | None = None,
    technical_level: TechnicalLevel | None = None,
    commune_code: str | None = None,
    emr_status: EmrStatus | None = None,
    iso15189_lab: bool | None = None,
    telemedicine_hub: bool | None = None,
    active: Annotated[bool | None, Query(description="Default: active only")] = True,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> FacilityPage:
    where = FacilityFilter(
        q=q,
        kind=kind,
        owner=owner,
        technical_level=technical_level,
        commune_code=commune_code,
        emr_status=emr_status,
        iso15189_lab=iso15189_lab,
        telemedicine_hub=telemedicine_hub,
        active=active,
    )
    return service.search_facilities(db, where, limit, offset)


@router.get("/{code}", response_model=FacilityOut)
def get_facility(db: Db, code: str) -> FacilityOut:
    return service.get_facility(db, code)


@router.get("/{code}/organization", response_class=JSONResponse)
def get_organization(db: Db, settings: AppSettings, code: str) -> JSONResponse:
    """The facility as a FHIR R4 Organization."""
    resource: dict[str, Any] = organization(service.get_facility(db, code), settings.province_code)
    return JSONResponse(resource, media_type="application/fhir+json")


@router.post("", response_model=FacilityOut, status_code=201)
def create_facility(
    request: Request, db: Db, who: RegistryEditor, rules: Rules, facility: FacilityIn
) -> FacilityOut:
    created = service.create_facility(db, facility, rules)
    audit(db, who, "create", "Facility", created.code, client_address=client_address(request))
    return created


@router.patch("/{code}", response_model=FacilityOut)
def update_facility(
    request: Request, db: Db, who: FacilityEditor, rules: Rules, code: str, changes: FacilityUpdate
) -> FacilityOut:
    ensure_facility_scope(request, who, code, "update", "Facility")
    updated = service.update_facility(db, code, changes, rules)
    audit(db, who, "update", "Facility", code, client_address=client_address(request))
    return updated


@router.post("/{code}/deactivate", response_model=FacilityOut)
def deactivate_facility(request: Request, db: Db, who: RegistryEditor, code: str) -> FacilityOut:
    result = service.set_active(db, code, active=False)
    audit(db, who, "deactivate", "Facility", code, client_address=client_address(request))
    return result


@router.post("/{code}/activate", response_model=FacilityOut)
def activate_facility(request: Request, db: Db, who: RegistryEditor, code: str) -> FacilityOut:
    result = service.set_active(db, code, active=True)
    audit(db, who, "activate", "Facility", code, client_address=client_address(request))
    return result
