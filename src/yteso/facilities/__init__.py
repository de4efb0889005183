"""Facility registry: every cơ sở KCB of the province by its MA_CSKCB."""

from yteso.facilities.csv_io import ImportResult, export_facilities, import_facilities
from yteso.facilities.schemas import (
    Department,
    FacilityFilter,
    FacilityIn,
    FacilityOut,
    FacilityUpdate,
)
from yteso.facilities.service import (
    RegistryRules,
    count_active_facilities,
    create_facility,
    find_facility,
    first_facility_code,
    forget_recent_facilities,
    get_facility,
    has_demo_facilities,
    recent_facility,
    search_facilities,
    set_active,
    update_facility,
)

__all__ = [
    "Department",
    "FacilityFilter",
    "FacilityIn",
    "FacilityOut",
    "FacilityUpdate",
    "ImportResult",
    "RegistryRules",
    "count_active_facilities",
    "create_facility",
    "export_facilities",
    "find_facility",
    "first_facility_code",
    "forget_recent_facilities",
    "get_facility",
    "has_demo_facilities",
    "import_facilities",
    "recent_facility",
    "search_facilities",
    "set_active",
    "update_facility",
]
