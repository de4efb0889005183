"""Shared health record: the FHIR R4 store, its REST API (/fhir) and the bulk import.

Other modules write and read records through these functions with a `Caller` (the principal
acting, for access checks and the audit trail)."""

from yteso.records.access import Caller
from yteso.records.bulk import (
    ImportResult,
    PreparedImport,
    import_ndjson,
    import_prepared,
    prepare_import,
)
from yteso.records.bundles import process as process_bundle
from yteso.records.definitions import FACILITY_TAG_SYSTEM, RESOURCE_TYPES
from yteso.records.outcome import FhirError, Issue
from yteso.records.person_link import patient_source_record
from yteso.records.reading import everything, run_search
from yteso.records.service import (
    conditional_update,
    create,
    delete,
    read,
    stored_bodies,
    update,
    vread,
)
from yteso.records.writes import Stored

__all__ = [
    "FACILITY_TAG_SYSTEM",
    "RESOURCE_TYPES",
    "Caller",
    "FhirError",
    "ImportResult",
    "Issue",
    "PreparedImport",
    "Stored",
    "conditional_update",
    "create",
    "delete",
    "everything",
    "import_ndjson",
    "import_prepared",
    "patient_source_record",
    "prepare_import",
    "process_bundle",
    "read",
    "run_search",
    "stored_bodies",
    "update",
    "vread",
]
