"""The one place the store talks to the patient index (yteso.patients).

A Patient written through the API goes through the index's match function, like kiosk and
claims records: exact on a valid identifier, probabilistic otherwise, review when unsure.
Bulk back-fills link by VN Core identifier (CCCD, CMND, BHYT, passport) in batches instead,
so years of history load at bulk speed; `yteso mpi dedupe` can reconcile them afterwards.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from yteso.core.text import nfc
from yteso.patients import (
    Identifier,
    IdentifierKind,
    PersonIn,
    SourceRecordIn,
    bulk_add_people,
    match_record,
    people_by_identifiers,
)
from yteso.records.definitions import SID_BASE
from yteso.records.indexing import birth_date

_KINDS = {SID_BASE + kind.value: kind for kind in IdentifierKind}
_SEX = {"male": 1, "female": 2}


def person_identifiers(resource: dict[str, Any]) -> list[Identifier]:
    found = []
    for identifier in resource.get("identifier") or []:
        kind = _KINDS.get(str(identifier.get("system", "")))
        value = identifier.get("value")
        if kind is not None and isinstance(value, str) and value.strip():
            found.append(Identifier(kind=kind, value=value.strip().upper()))
    return found


def link_person(session: Session, resource: dict[str, Any], facility: str) -> int:
    """The person this Patient is, as the patient index's match function decides."""
    return match_record(session, patient_source_record(resource, facility)).person_id


def patient_source_record(resource: dict[str, Any], facility: str) -> SourceRecordIn:
    """A Patient as the patient index sees it: the facility's source record of the person
    (local id = the internal patient identifier, else the resource id)."""
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    name = names[0] if names else {}
    parts = [name.get("family"), *(name.get("given") or [])]
    full_name = name.get("text") or " ".join(p for p in parts if isinstance(p, str))
    internal = [
        i.get("value")
        for i in resource.get("identifier") or []
        if i.get("system") == SID_BASE + "patient-internal-id" and i.get("value")
    ]
    phones = [t.get("value") for t in resource.get("telecom") or [] if t.get("system") == "phone"]
    birth = resource.get("birthDate")
    return SourceRecordIn(
        facility_code=facility,
        local_id=str(internal[0] if internal else resource["id"])[:50],
        origin="fhir",
        full_name=nfc(str(full_name))[:255],
        birth_date=birth if isinstance(birth, str) else "",
        sex=_SEX.get(str(resource.get("gender")), 3),
        identifiers=person_identifiers(resource),
        phone=str(phones[0])[:15] if phones else None,
    )


def link_people(session: Session, patients: list[dict[str, Any]]) -> dict[str, int]:
    """link_person for a batch (bulk import): the batch's identifiers are looked up together
    and new people are added with one executemany.

    Patients of the batch sharing an identifier become the same new person."""
    found = [(resource, person_identifiers(resource)) for resource in patients]
    known = _known_many(session, [i for _, identifiers in found for i in identifiers])
    linked: dict[str, int] = {}
    new: list[PersonIn] = []
    owners: dict[tuple[str, str], int] = {}  # identifier -> index in `new`
    waiting: list[tuple[str, int]] = []  # Patient id, index in `new`
    for resource, identifiers in found:
        person = next(
            (known[i.kind, i.value] for i in identifiers if (i.kind, i.value) in known), None
        )
        if person is not None:
            linked[resource["id"]] = person
            continue
        keys = [(i.kind.value, i.value) for i in identifiers]
        owner = next((owners[k] for k in keys if k in owners), None)
        person_in = _person_in(resource, identifiers) if owner is None else None
        if person_in is not None:
            owner = len(new)
            new.append(person_in)
        if owner is not None:
            owners.update({k: owner for k in keys if k not in owners})
            waiting.append((resource["id"], owner))
    ids = _add_people(session, new)
    linked.update({pid: ids[i] for pid, i in waiting if ids[i] is not None})  # type: ignore[misc]
    return linked


def _known_many(
    session: Session, identifiers: list[Identifier]
) -> dict[tuple[IdentifierKind, str], int]:
    return people_by_identifiers(session, [(i.kind, i.value) for i in identifiers])


def _add_people(session: Session, new: list[PersonIn]) -> list[int | None]:
    """Ids of the people just added (identifiers already checked free by the caller)."""
    if not new:
        return []
    for _count in bulk_add_people(session, new):
        pass
    firsts = [person.identifiers[0] for person in new]
    # bulk_add_people numbers people consecutively: checked at both ends, else looked up.
    ends = _known_many(session, [firsts[0], firsts[-1]])
    first = ends.get((firsts[0].kind, firsts[0].value))
    last = ends.get((firsts[-1].kind, firsts[-1].value))
    if first is not None and last == first + len(new) - 1:
        return [first + offset for offset in range(len(new))]
    known = _known_many(session, firsts)
    return [known.get((i.kind, i.value)) for i in firsts]


def _person_in(resource: dict[str, Any], identifiers: list[Identifier]) -> PersonIn | None:
    names = [n for n in resource.get("name") or [] if isinstance(n, dict)]
    if not identifiers or not names:
        return None
    name = names[0]
    given = [g for g in name.get("given") or [] if isinstance(g, str)]
    family = name.get("family")
    if not isinstance(family, str) or not given:
        return None
    try:
        return PersonIn(
            family_name=nfc(family),
            middle_name=nfc(" ".join(given[:-1])),
            given_name=nfc(given[-1]),
            sex=_SEX.get(str(resource.get("gender")), 3),
            birth_date=birth_date(resource),
            identifiers=identifiers,
        )
    except ValueError:  # pydantic: a name or identifier the index does not accept
        return None
