"""A facility as a FHIR R4 Organization (VN Core identifier systems)."""

from __future__ import annotations

from typing import Any

from yteso.facilities.schemas import FacilityOut
from yteso.facilities.vocabulary import FacilityKind, label

# The draft IG's NamingSystem "provider-code" (MA_CSKCB) repeats the uniqueId of the licence
# number system by mistake; its id names the system used here.
PROVIDER_CODE_SYSTEM = "http://fhir.ehealth.gov.vn/core/sid/provider-code"
_ADDRESS_EXTENSION = (
    "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-administrative-address"
)
_ADDRESS_CODES = "http://fhir.ehealth.gov.vn/core/CodeSystem/vn-core-administrative-address"
_ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
_KIND_SYSTEM = "http://fhir.ehealth.gov.vn/core/CodeSystem/facility-kind"


def _administrative_address(facility: FacilityOut, province_code: int) -> dict[str, Any]:
    def part(url: str, code: str, display: str | None) -> dict[str, Any]:
        coding = {"system": _ADDRESS_CODES, "code": code}
        if display:
            coding["display"] = display
        return {"url": url, "valueCodeableConcept": {"coding": [coding]}}

    return {
        "url": _ADDRESS_EXTENSION,
        "extension": [
            part("state", f"{province_code:02d}", None),
            part("ward", facility.commune_code, facility.commune_name),
        ],
    }


def organization(facility: FacilityOut, province_code: int) -> dict[str, Any]:
    hl7_type = "prov" if facility.kind != FacilityKind.PREVENTIVE_CENTRE else "govt"
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": facility.code,
        "identifier": [{"use": "official", "system": PROVIDER_CODE_SYSTEM, "value": facility.code}],
        "active": facility.active,
        "type": [
            {"coding": [{"system": _ORGANIZATION_TYPE, "code": hl7_type}]},
            {
                "coding": [
                    {"system": _KIND_SYSTEM, "code": facility.kind, "display": label(facility.kind)}
                ]
            },
        ],
        "name": facility.name,
        "address": [
            {
                "use": "work",
                "line": [facility.address] if facility.address else [],
                "city": facility.commune_name,
                "country": "VN",
                "extension": [_administrative_address(facility, province_code)],
            }
        ],
    }
    if facility.phone:
        resource["telecom"] = [{"system": "phone", "value": facility.phone, "use": "work"}]
    return resource
