"""All facility queries."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from yteso.core.text import fold
from yteso.facilities.models import Facility
from yteso.facilities.schemas import FacilityFilter


def get(session: Session, code: str) -> Facility | None:
    return session.get(Facility, code)


def existing_codes(session: Session, codes: Iterable[str]) -> set[str]:
    wanted = list(set(codes))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found.update(session.scalars(select(Facility.code).where(Facility.code.in_(chunk))))
    return found


def _filtered(query: Select[tuple[Facility]], where: FacilityFilter) -> Select[tuple[Facility]]:
    if where.q:
        words = fold(where.q).split()
        # Every word must appear (in any order), so "tram y te dai tu" finds
        # "Trạm Y tế xã Đại Từ"; a code typed in full or in part finds the facility too.
        by_name = and_(*(Facility.name_key.contains(word) for word in words))
        query = query.where(by_name | Facility.code.startswith(where.q.strip()))
    exact = {
        Facility.kind: where.kind,
        Facility.owner: where.owner,
        Facility.technical_level: where.technical_level,
        Facility.commune_code: where.commune_code,
        Facility.emr_status: where.emr_status,
        Facility.iso15189_lab: where.iso15189_lab,
        Facility.telemedicine_hub: where.telemedicine_hub,
        Facility.active: where.active,
    }
    for column, value in exact.items():
        if value is not None:
            query = query.where(column == value)
    return query


def search(
    session: Session, where: FacilityFilter, limit: int, offset: int
) -> tuple[list[Facility], int]:
    base = _filtered(select(Facility), where)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    page = base.order_by(Facility.code).limit(limit).offset(offset)
    return list(session.scalars(page)), total


def first_code(session: Session, where: FacilityFilter) -> str | None:
    query = _filtered(select(Facility), where).order_by(Facility.code).limit(1)
    return session.scalar(query.with_only_columns(Facility.code))


def all_facilities(session: Session) -> list[Facility]:
    return list(session.scalars(select(Facility).order_by(Facility.code)))


def count_active(session: Session) -> int:
    return session.scalar(select(func.count()).where(Facility.active.is_(True))) or 0


def any_demo(session: Session) -> bool:
    return (
        session.scalar(select(Facility.code).where(Facility.is_demo.is_(True)).limit(1)) is not None
    )
