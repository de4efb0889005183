"""Person lookups for reception and clinical staff and for facility systems and kiosks.
Every call is audited, refusals included."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from yteso.core.audit import record, record_refusal
from yteso.core.auth.principal import Principal
from yteso.core.errors import Forbidden, ValidationFailed
from yteso.core.web.deps import CurrentPrincipal, Db, client_address, get_session_factory
from yteso.patients import service
from yteso.patients.access import handles_patients
from yteso.patients.schemas import IdentifierKind, PersonOut

router = APIRouter(prefix="/api/persons", tags=["persons"])


def _person_reader(request: Request, principal: CurrentPrincipal) -> Principal:
    if not handles_patients(principal):
        record_refusal(
            get_session_factory(request),
            principal,
            "read",
            "Person",
            request.url.path.rsplit("/", 1)[-1],
            f"vai trò {principal.role} không được xem thông tin cá nhân",
            client_address(request),
        )
        raise Forbidden(
            f"Vai trò '{principal.role}' không được xem thông tin cá nhân người bệnh; "
            "cần vai trò tiếp đón hoặc lâm sàng"
        )
    return principal


PersonReader = Annotated[Principal, Depends(_person_reader, scope="function")]


@router.get("/{person_id}", response_model=PersonOut)
def get_person(request: Request, db: Db, who: PersonReader, person_id: int) -> PersonOut:
    person = service.get_person(db, person_id)
    record(db, who, "read", "Person", str(person_id), client_address=client_address(request))
    return person


@router.get("", response_model=list[PersonOut])
def find_persons(
    request: Request,
    db: Db,
    who: PersonReader,
    identifier: Annotated[
        str | None, Query(description="kind|value, e.g. national_id|019090001234")
    ] = None,
    name: Annotated[str | None, Query(min_length=3)] = None,
    birth_year: int | None = None,
) -> list[PersonOut]:
    """Find by one identifier, or by name (with or without diacritics) and birth year."""
    if identifier:
        kind, _, value = identifier.partition("|")
        if kind not in set(IdentifierKind) or not value:
            kinds = ", ".join(IdentifierKind)
            raise ValidationFailed(
                f"Tham số identifier ghi dạng loại|số, với loại là một trong: {kinds}"
            )
        found = service.find_by_identifier(db, IdentifierKind(kind), value)
        people = [found] if found else []
        query = f"identifier={kind}"
    elif name:
        people = service.search_by_name(db, name, birth_year)
        query = "name"
    else:
        raise ValidationFailed("Cần tham số identifier hoặc name")
    ids = ",".join(str(p.id) for p in people) or None
    record(db, who, "search", "Person", ids, detail=query, client_address=client_address(request))
    return people
