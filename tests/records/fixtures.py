"""Real-shaped FHIR R4 resources (VN Core identifier systems) for the store tests."""

from __future__ import annotations

from typing import Any

SID = "http://fhir.ehealth.gov.vn/core/sid/"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"


def patient(
    cccd: str = "019090001234",
    family: str = "Nguyễn",
    given: tuple[str, ...] = ("Văn", "An"),
    bhyt: str | None = "DN4190123456789",
    birth: str = "1990-04-12",
) -> dict[str, Any]:
    identifiers = [{"system": SID + "national_id", "value": cccd}]
    if bhyt:
        identifiers.append({"system": SID + "insurance_number", "value": bhyt})
    return {
        "resourceType": "Patient",
        "identifier": identifiers,
        "active": True,
        "name": [{"use": "official", "family": family, "given": list(given)}],
        "gender": "male",
        "birthDate": birth,
        "address": [{"line": ["Tổ 5"], "city": "Thái Nguyên", "country": "VN"}],
    }


def observation(
    patient_id: str,
    code: str = "8867-4",
    when: str = "2026-03-05T08:30:00+07:00",
    value: float = 72,
    encounter: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "vital-signs",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": LOINC, "code": code, "display": "Heart rate"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "effectiveDateTime": when,
        "valueQuantity": {
            "value": value,
            "unit": "/min",
            "system": "http://unitsofmeasure.org",
            "code": "/min",
        },
    }
    if encounter:
        data["encounter"] = {"reference": f"Encounter/{encounter}"}
    return data


def condition(patient_id: str, icd: str = "J18.9") -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                        "code": "encounter-diagnosis",
                    }
                ]
            }
        ],
        "code": {"coding": [{"system": ICD10, "code": icd, "display": "Viêm phổi"}]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "recordedDate": "2026-03-05",
    }


def encounter(
    patient_id: str, org_id: str | None = None, start: str = "2026-03-05T08:00:00+07:00"
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "resourceType": "Encounter",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": f"Patient/{patient_id}"},
        "period": {"start": start, "end": "2026-03-05T11:00:00+07:00"},
    }
    if org_id:
        data["serviceProvider"] = {"reference": f"Organization/{org_id}"}
    return data


def organization(code: str = "19001") -> dict[str, Any]:
    return {
        "resourceType": "Organization",
        "identifier": [{"system": SID + "facility", "value": code}],
        "active": True,
        "name": "Bệnh viện Đa khoa Trung ương Thái Nguyên",
    }


def varied(patient_id: str) -> list[dict[str, Any]]:
    """One resource of several other types, shaped like the HL7 examples."""
    subject = {"reference": f"Patient/{patient_id}"}
    return [
        {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "code": {
                "coding": [
                    {
                        "system": "http://snomed.info/sct",
                        "code": "227493005",
                        "display": "Cashew nuts",
                    }
                ]
            },
            "patient": subject,
            "criticality": "high",
            "recordedDate": "2025-01-02",
        },
        {
            "resourceType": "Immunization",
            "status": "completed",
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "140"}]},
            "patient": subject,
            "occurrenceDateTime": "2025-10-01",
            "primarySource": True,
        },
        {
            "resourceType": "MedicationRequest",
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": {
                "coding": [
                    {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "197361"}
                ]
            },
            "subject": subject,
            "authoredOn": "2026-03-05",
            "dosageInstruction": [{"text": "1 viên x 2 lần/ngày"}],
        },
        {
            "resourceType": "Procedure",
            "status": "completed",
            "code": {"text": "Nội soi dạ dày"},
            "subject": subject,
            "performedDateTime": "2026-03-05T09:00:00+07:00",
        },
        {
            "resourceType": "DiagnosticReport",
            "status": "final",
            "code": {"coding": [{"system": LOINC, "code": "58410-2"}]},
            "subject": subject,
            "effectiveDateTime": "2026-03-05",
            "conclusion": "Bình thường",
        },
        {
            "resourceType": "Coverage",
            "status": "active",
            "beneficiary": subject,
            "payor": [{"display": "BHXH Việt Nam"}],
            "subscriberId": "DN4190123456789",
        },
        {
            "resourceType": "DocumentReference",
            "status": "current",
            "subject": subject,
            "date": "2026-03-05T10:00:00Z",
            "content": [
                {"attachment": {"contentType": "application/pdf", "title": "Giấy ra viện"}}
            ],
        },
        {
            "resourceType": "Practitioner",
            "name": [{"family": "Trần", "given": ["Thị", "Bình"]}],
            "gender": "female",
        },
    ]
