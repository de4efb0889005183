"""Reference data: administrative units, ICD-10 (QĐ 4469), QĐ 130/4750 table specifications."""

from yteso.reference import admin_units, claim_specs, icd10

__all__ = ["admin_units", "claim_specs", "icd10"]
