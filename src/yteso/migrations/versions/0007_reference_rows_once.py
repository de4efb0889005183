"""reference index: a reference is stored once, under the widest parameter

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:50:00

Observation?patient= is now read from subject's rows of Patient targets
(records.definitions.REFERENCE_ROWS): the narrower parameters' own rows, which repeated
them, are deleted. The list is as the definitions stood at this revision.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# (type, narrower parameter, the parameter whose rows it reads, its target type)
_READ_FROM_WIDER = (
    *(
        (res_type, "patient", "subject", "Patient")
        for res_type in (
            "Encounter",
            "Condition",
            "Observation",
            "DiagnosticReport",
            "Specimen",
            "MedicationRequest",
            "MedicationDispense",
            "Procedure",
            "DocumentReference",
            "Composition",
            "ServiceRequest",
            "Task",
            "Communication",
        )
    ),
    ("Encounter", "practitioner", "participant", "Practitioner"),
    ("Coverage", "patient", "beneficiary", "Patient"),
    ("Appointment", "patient", "actor", "Patient"),
    ("Appointment", "practitioner", "actor", "Practitioner"),
    ("Appointment", "location", "actor", "Location"),
    ("AuditEvent", "patient", "entity", "Patient"),
    ("Provenance", "patient", "target", "Patient"),
)


def upgrade() -> None:
    for res_type, narrower, _wider, _target in _READ_FROM_WIDER:
        op.execute(
            "DELETE FROM fhir_reference_index "
            f"WHERE res_type = '{res_type}' AND param = '{narrower}'"
        )


def downgrade() -> None:
    for res_type, narrower, wider, target in _READ_FROM_WIDER:
        op.execute(
            "INSERT INTO fhir_reference_index (res_type, res_id, param, target_type, target_id) "
            f"SELECT res_type, res_id, '{narrower}', target_type, target_id "
            "FROM fhir_reference_index "
            f"WHERE res_type = '{res_type}' AND param = '{wider}' AND target_type = '{target}'"
        )
