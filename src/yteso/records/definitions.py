"""What the store knows about each resource type, as data: the patient compartment link and
the search parameters indexed at write time (top-level elements: elements.py).

The CapabilityStatement, validation and indexing all read these tables, so what the server
says it supports is what it does.
"""

from __future__ import annotations

from dataclasses import dataclass

from yteso.records.elements import ELEMENTS

FHIR_VERSION = "4.0.1"
# VN Core NamingSystems (the same base as yteso.patients.schemas.SID_BASE, not exported there).
SID_BASE = "http://fhir.ehealth.gov.vn/core/sid/"
FACILITY_TAG_SYSTEM = "http://fhir.ehealth.gov.vn/core/facility"
ICD10_SYSTEMS = frozenset(
    {"http://hl7.org/fhir/sid/icd-10", "http://terminology.hl7.org/CodeSystem/icd10"}
)

RESOURCE_TYPES = tuple(ELEMENTS)

# Where each type points at its Patient (the patient compartment); None: not in it.
COMPARTMENT: dict[str, str | None] = {
    "Patient": None,
    "Practitioner": None,
    "PractitionerRole": None,
    "Organization": None,
    "Location": None,
    "Encounter": "subject",
    "EpisodeOfCare": "patient",
    "Condition": "subject",
    "Observation": "subject",
    "DiagnosticReport": "subject",
    "Specimen": "subject",
    "MedicationRequest": "subject",
    "MedicationDispense": "subject",
    "Procedure": "subject",
    "Immunization": "patient",
    "AllergyIntolerance": "patient",
    "Coverage": "beneficiary",
    "Claim": "patient",
    "DocumentReference": "subject",
    "Composition": "subject",
    "ServiceRequest": "subject",
    "Task": "for",
    "Communication": "subject",
    "Appointment": "participant.actor",
    "AuditEvent": None,
    "Provenance": None,
}


@dataclass(frozen=True)
class SearchParam:
    name: str
    kind: str  # token, string, date, reference
    paths: tuple[str, ...]
    targets: tuple[str, ...] = ()  # reference: only these target types are indexed


def _t(*paths: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return ("token", paths, ())


def _s(*paths: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return ("string", paths, ())


def _d(*paths: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return ("date", paths, ())


def _r(path: str, *targets: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    return ("reference", (path,), targets)


def _subject() -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return {"patient": _r("subject", "Patient"), "subject": _r("subject")}


_EFFECTIVE = ("effectiveDateTime", "effectivePeriod", "effectiveInstant")

_PARAMS: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]] = {
    "Patient": {
        "name": _s("name"),
        "family": _s("name.family"),
        "given": _s("name.given"),
        "birthdate": _d("birthDate"),
        "gender": _t("gender"),
        "active": _t("active"),
        "telecom": _t("telecom"),
        "organization": _r("managingOrganization", "Organization"),
        "general-practitioner": _r("generalPractitioner"),
    },
    "Practitioner": {
        "name": _s("name"),
        "family": _s("name.family"),
        "given": _s("name.given"),
        "gender": _t("gender"),
        "active": _t("active"),
    },
    "PractitionerRole": {
        "practitioner": _r("practitioner", "Practitioner"),
        "organization": _r("organization", "Organization"),
        "location": _r("location", "Location"),
        "role": _t("code"),
        "specialty": _t("specialty"),
        "active": _t("active"),
    },
    "Organization": {
        "name": _s("name", "alias"),
        "type": _t("type"),
        "active": _t("active"),
        "partof": _r("partOf", "Organization"),
    },
    "Location": {
        "name": _s("name", "alias"),
        "status": _t("status"),
        "type": _t("type"),
        "organization": _r("managingOrganization", "Organization"),
        "partof": _r("partOf", "Location"),
    },
    "Encounter": {
        **_subject(),
        "date": _d("period"),
        "status": _t("status"),
        "class": _t("class"),
        "type": _t("type"),
        "reason-code": _t("reasonCode"),
        "service-provider": _r("serviceProvider", "Organization"),
        "organization": _r("serviceProvider", "Organization"),
        "participant": _r("participant.individual"),
        "practitioner": _r("participant.individual", "Practitioner"),
        "episode-of-care": _r("episodeOfCare", "EpisodeOfCare"),
        "location": _r("location.location", "Location"),
        "diagnosis": _r("diagnosis.condition"),
        "part-of": _r("partOf", "Encounter"),
    },
    "EpisodeOfCare": {
        "patient": _r("patient", "Patient"),
        "organization": _r("managingOrganization", "Organization"),
        "status": _t("status"),
        "type": _t("type"),
        "date": _d("period"),
        "condition": _r("diagnosis.condition", "Condition"),
    },
    "Condition": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "code": _t("code"),
        "category": _t("category"),
        "clinical-status": _t("clinicalStatus"),
        "verification-status": _t("verificationStatus"),
        "onset-date": _d("onsetDateTime", "onsetPeriod"),
        "recorded-date": _d("recordedDate"),
        "asserter": _r("asserter"),
    },
    "Observation": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "date": _d(*_EFFECTIVE),
        "code": _t("code"),
        "status": _t("status"),
        "category": _t("category"),
        "performer": _r("performer"),
        "based-on": _r("basedOn"),
        "specimen": _r("specimen", "Specimen"),
    },
    "DiagnosticReport": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "date": _d(*_EFFECTIVE),
        "issued": _d("issued"),
        "code": _t("code"),
        "status": _t("status"),
        "category": _t("category"),
        "performer": _r("performer"),
        "result": _r("result", "Observation"),
        "specimen": _r("specimen", "Specimen"),
        "based-on": _r("basedOn"),
    },
    "Specimen": {
        **_subject(),
        "type": _t("type"),
        "status": _t("status"),
        "accession": _t("accessionIdentifier"),
        "collected": _d("collection.collectedDateTime", "collection.collectedPeriod"),
    },
    "MedicationRequest": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "status": _t("status"),
        "intent": _t("intent"),
        "category": _t("category"),
        "code": _t("medicationCodeableConcept"),
        "medication": _r("medicationReference"),
        "authoredon": _d("authoredOn"),
        "requester": _r("requester"),
        "performer": _r("performer"),
    },
    "MedicationDispense": {
        **_subject(),
        "context": _r("context", "Encounter"),
        "status": _t("status"),
        "code": _t("medicationCodeableConcept"),
        "performer": _r("performer.actor"),
        "prescription": _r("authorizingPrescription", "MedicationRequest"),
        "whenhandedover": _d("whenHandedOver"),
    },
    "Procedure": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "date": _d("performedDateTime", "performedPeriod"),
        "code": _t("code"),
        "status": _t("status"),
        "category": _t("category"),
        "performer": _r("performer.actor"),
        "location": _r("location", "Location"),
    },
    "Immunization": {
        "patient": _r("patient", "Patient"),
        "encounter": _r("encounter", "Encounter"),
        "date": _d("occurrenceDateTime"),
        "status": _t("status"),
        "vaccine-code": _t("vaccineCode"),
        "performer": _r("performer.actor"),
        "location": _r("location", "Location"),
        "lot-number": _t("lotNumber"),
    },
    "AllergyIntolerance": {
        "patient": _r("patient", "Patient"),
        "encounter": _r("encounter", "Encounter"),
        "code": _t("code"),
        "clinical-status": _t("clinicalStatus"),
        "category": _t("category"),
        "criticality": _t("criticality"),
        "date": _d("recordedDate"),
        "recorder": _r("recorder"),
        "asserter": _r("asserter"),
    },
    "Coverage": {
        "patient": _r("beneficiary", "Patient"),
        "beneficiary": _r("beneficiary"),
        "payor": _r("payor"),
        "subscriber": _r("subscriber"),
        "policy-holder": _r("policyHolder"),
        "status": _t("status"),
        "type": _t("type"),
    },
    "Claim": {
        "patient": _r("patient", "Patient"),
        "status": _t("status"),
        "use": _t("use"),
        "created": _d("created"),
        "provider": _r("provider"),
        "insurer": _r("insurer", "Organization"),
        "facility": _r("facility", "Location"),
        "encounter": _r("item.encounter", "Encounter"),
    },
    "DocumentReference": {
        **_subject(),
        "encounter": _r("context.encounter", "Encounter"),
        "status": _t("status"),
        "type": _t("type"),
        "category": _t("category"),
        "date": _d("date"),
        "period": _d("context.period"),
        "author": _r("author"),
        "custodian": _r("custodian", "Organization"),
    },
    "Composition": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "status": _t("status"),
        "type": _t("type"),
        "category": _t("category"),
        "date": _d("date"),
        "author": _r("author"),
        "title": _s("title"),
    },
    "ServiceRequest": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "status": _t("status"),
        "intent": _t("intent"),
        "code": _t("code"),
        "category": _t("category"),
        "authored": _d("authoredOn"),
        "occurrence": _d("occurrenceDateTime", "occurrencePeriod"),
        "requester": _r("requester"),
        "performer": _r("performer"),
        "specimen": _r("specimen", "Specimen"),
    },
    "Task": {
        "patient": _r("for", "Patient"),
        "subject": _r("for"),
        "encounter": _r("encounter", "Encounter"),
        "status": _t("status"),
        "intent": _t("intent"),
        "code": _t("code"),
        "business-status": _t("businessStatus"),
        "authored-on": _d("authoredOn"),
        "modified": _d("lastModified"),
        "owner": _r("owner"),
        "requester": _r("requester"),
        "focus": _r("focus"),
        "based-on": _r("basedOn"),
        "part-of": _r("partOf", "Task"),
    },
    "Communication": {
        **_subject(),
        "encounter": _r("encounter", "Encounter"),
        "status": _t("status"),
        "category": _t("category"),
        "sent": _d("sent"),
        "received": _d("received"),
        "sender": _r("sender"),
        "recipient": _r("recipient"),
    },
    "Appointment": {
        "patient": _r("participant.actor", "Patient"),
        "actor": _r("participant.actor"),
        "practitioner": _r("participant.actor", "Practitioner"),
        "location": _r("participant.actor", "Location"),
        "date": _d("start"),
        "status": _t("status"),
        "service-type": _t("serviceType"),
        "appointment-type": _t("appointmentType"),
    },
    "AuditEvent": {
        "date": _d("recorded"),
        "type": _t("type"),
        "subtype": _t("subtype"),
        "action": _t("action"),
        "outcome": _t("outcome"),
        "agent": _r("agent.who"),
        "entity": _r("entity.what"),
        "patient": _r("entity.what", "Patient"),
    },
    "Provenance": {
        "target": _r("target"),
        "recorded": _d("recorded"),
        "agent": _r("agent.who"),
        "entity": _r("entity.what"),
        "patient": _r("target", "Patient"),
    },
}


def _build() -> dict[str, dict[str, SearchParam]]:
    built: dict[str, dict[str, SearchParam]] = {}
    for res_type, params in _PARAMS.items():
        table = {name: SearchParam(name, k, p, t) for name, (k, p, t) in params.items()}
        if "identifier" in ELEMENTS[res_type].split():
            table["identifier"] = SearchParam("identifier", "token", ("identifier",))
        built[res_type] = table
    return built


SEARCH_PARAMS: dict[str, dict[str, SearchParam]] = _build()


@dataclass(frozen=True)
class ReferenceRows:
    """Where the index rows of a reference parameter are: under `param`, of these target
    types only (any when empty)."""

    param: str
    targets: tuple[str, ...] = ()


def _reference_rows(table: dict[str, SearchParam]) -> dict[str, ReferenceRows]:
    """A reference parameter with the same paths as one indexing every target type is read
    from that one's rows (Observation?patient= from subject's rows of Patient targets), and
    has none of its own: a claims episode had a tenth of its index rows twice."""
    rows = {}
    for name, param in table.items():
        if param.kind != "reference":
            continue
        wider = [
            other.name
            for other in table.values()
            if other.kind == "reference" and other.paths == param.paths and not other.targets
        ]
        rows[name] = (
            ReferenceRows(wider[0], param.targets)
            if param.targets and wider
            else (ReferenceRows(name))
        )
    return rows


REFERENCE_ROWS: dict[str, dict[str, ReferenceRows]] = {
    res_type: _reference_rows(table) for res_type, table in SEARCH_PARAMS.items()
}
# Answered from columns of the current table, on every type.
COMMON_PARAMS = ("_id", "_lastUpdated")
# Result parameters (they shape the answer rather than filter it).
RESULT_PARAMS = ("_count", "_offset", "_sort", "_include", "_revinclude", "_summary", "_total")
