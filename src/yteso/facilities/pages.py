"""Facility registry pages for department analysts: browse, search, filter."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from yteso.core.web.deps import AppSettings, Db, MaybePrincipal
from yteso.core.web.templating import add_template_package, templates
from yteso.facilities import service
from yteso.facilities.schemas import FacilityFilter
from yteso.facilities.vocabulary import EmrStatus, FacilityKind, Owner, TechnicalLevel, label
from yteso.reference import admin_units

add_template_package("yteso.facilities")
router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25


def _choice(
    value: str | None, allowed: type[FacilityKind | Owner | TechnicalLevel | EmrStatus]
) -> str | None:
    # A hand-edited query string with an unknown value filters nothing instead of failing.
    return value if value in {str(item) for item in allowed} else None


@router.get("/facilities")
def facility_list(
    request: Request,
    db: Db,
    settings: AppSettings,
    principal: MaybePrincipal,
    q: str = "",
    kind: str = "",
    owner: str = "",
    technical_level: str = "",
    emr_status: str = "",
    commune_code: str = "",
    include_inactive: bool = False,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    where = FacilityFilter.model_validate(
        {
            "q": q.strip() or None,
            "kind": _choice(kind, FacilityKind),
            "owner": _choice(owner, Owner),
            "technical_level": _choice(technical_level, TechnicalLevel),
            "emr_status": _choice(emr_status, EmrStatus),
            "commune_code": commune_code or None,
            "active": None if include_inactive else True,
        }
    )
    result = service.search_facilities(db, where, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    filters = {
        "q": q,
        "kind": kind,
        "owner": owner,
        "technical_level": technical_level,
        "emr_status": emr_status,
        "commune_code": commune_code,
        "include_inactive": "true" if include_inactive else "",
    }
    context = {
        "principal": principal,
        "result": result,
        "page": page,
        "pages": max(1, -(-result.total // PAGE_SIZE)),
        "filters": filters,
        "query": urlencode({key: value for key, value in filters.items() if value}),
        "kinds": list(FacilityKind),
        "owners": list(Owner),
        "levels": list(TechnicalLevel),
        "emr_statuses": list(EmrStatus),
        "communes": admin_units.communes(settings.province_code),
        "label": label,
    }
    return templates.TemplateResponse(request, "facilities/list.html", context)


@router.get("/facilities/{code}")
def facility_detail(request: Request, db: Db, principal: MaybePrincipal, code: str) -> Response:
    facility = service.get_facility(db, code)
    context = {"principal": principal, "facility": facility, "label": label}
    return templates.TemplateResponse(request, "facilities/detail.html", context)
