"""Patient index: the person model (matching comes with the patient-index issue)."""

from yteso.patients.schemas import Identifier, IdentifierKind, PersonIn, PersonOut
from yteso.patients.service import (
    add_person,
    bulk_add_people,
    count_people,
    find_by_identifier,
    get_person,
    search_by_name,
)

__all__ = [
    "Identifier",
    "IdentifierKind",
    "PersonIn",
    "PersonOut",
    "add_person",
    "bulk_add_people",
    "count_people",
    "find_by_identifier",
    "get_person",
    "search_by_name",
]
