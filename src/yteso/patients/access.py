"""Who may handle a named person in the patient index."""

from __future__ import annotations

from yteso.core.auth.principal import ClientKind, Principal, Role

# Those who register or treat people: reception and clinical staff, facility systems and
# kiosks. Department analysts and administrators work with aggregates and configuration.
PATIENT_STAFF_ROLES = frozenset({Role.RECEPTIONIST, Role.CLINICIAN})
PATIENT_CLIENT_KINDS = frozenset({ClientKind.HIS, ClientKind.KIOSK})


def handles_patients(
    principal: Principal, client_kinds: frozenset[str] = PATIENT_CLIENT_KINDS
) -> bool:
    allowed = PATIENT_STAFF_ROLES if principal.kind == "staff" else client_kinds
    return principal.role in allowed
