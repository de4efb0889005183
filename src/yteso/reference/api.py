"""Reference data over HTTP: administrative units, the commune crosswalk and ICD-10."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from yteso.core.errors import NotFound
from yteso.core.web.deps import Db
from yteso.reference import admin_units, crosswalk, icd10

router = APIRouter(prefix="/api/reference", tags=["reference"])


class CommuneOut(BaseModel):
    code: str
    name: str
    province_code: int
    kind: str
    former_province_code: int | None


class ProvinceOut(BaseModel):
    code: int
    name: str


@router.get("/provinces", response_model=list[ProvinceOut])
def list_provinces() -> list[ProvinceOut]:
    return [ProvinceOut(code=p.code, name=p.name) for p in admin_units.provinces()]


@router.get("/communes", response_model=list[CommuneOut])
def list_communes(
    province: Annotated[int | None, Query(description="Province code, e.g. 19")] = None,
    q: Annotated[str | None, Query(description="Part of the name, diacritics optional")] = None,
) -> list[CommuneOut]:
    if province is not None and admin_units.get_province(province) is None:
        raise NotFound(f"Không có tỉnh mã {province} trong danh mục 34 tỉnh sau 01/07/2025")
    found = admin_units.search_communes(q, province) if q else admin_units.communes(province)
    return [CommuneOut(**dataclasses.asdict(c)) for c in found]


@router.get("/communes/{code}", response_model=CommuneOut)
def get_commune(db: Db, code: str) -> CommuneOut:
    """A commune by its current code, or by a pre-reform code recorded in the crosswalk."""
    commune = crosswalk.current_commune(db, code)
    if commune is None:
        raise NotFound(f"Không có xã/phường mã {code} (kể cả trong bảng mã cũ → mới)")
    return CommuneOut(**dataclasses.asdict(commune))


@router.get("/icd10")
def search_icd10(
    q: Annotated[
        str, Query(min_length=1, description="Code or Vietnamese words, e.g. sot xuat huyet")
    ],
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> list[dict[str, Any]]:
    return [dataclasses.asdict(code) for code in icd10.search(q, limit)]


@router.get("/icd10/{code}")
def get_icd10(code: str) -> dict[str, Any]:
    found = icd10.get(code)
    if found is None:
        raise NotFound(f"Mã {code} không có trong danh mục ICD-10 (QĐ 4469/QĐ-BYT)")
    return dataclasses.asdict(found)
