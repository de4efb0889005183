"""Top-level elements of each supported resource type (FHIR R4 4.0.1), as data."""

from __future__ import annotations

from functools import cache

_COMMON = "id meta implicitRules language text contained extension modifierExtension"

# Top-level elements per type; "x[x]" stands for every choice (xDateTime, xPeriod …).
ELEMENTS: dict[str, str] = {
    "Patient": "identifier active name telecom gender birthDate deceased[x] address "
    "maritalStatus multipleBirth[x] photo contact communication generalPractitioner "
    "managingOrganization link",
    "Practitioner": "identifier active name telecom address gender birthDate photo "
    "qualification communication",
    "PractitionerRole": "identifier active period practitioner organization code specialty "
    "location healthcareService telecom availableTime notAvailable availabilityExceptions "
    "endpoint",
    "Organization": "identifier active type name alias telecom address partOf contact endpoint",
    "Location": "identifier status operationalStatus name alias description mode type telecom "
    "address physicalType position managingOrganization partOf hoursOfOperation "
    "availabilityExceptions endpoint",
    "Encounter": "identifier status statusHistory class classHistory type serviceType priority "
    "subject episodeOfCare basedOn participant appointment period length reasonCode "
    "reasonReference diagnosis account hospitalization location serviceProvider partOf",
    "EpisodeOfCare": "identifier status statusHistory type diagnosis patient "
    "managingOrganization period referralRequest careManager team account",
    "Condition": "identifier clinicalStatus verificationStatus category severity code bodySite "
    "subject encounter onset[x] abatement[x] recordedDate recorder asserter stage evidence note",
    "Observation": "identifier basedOn partOf status category code subject focus encounter "
    "effective[x] issued performer value[x] dataAbsentReason interpretation note bodySite "
    "method specimen device referenceRange hasMember derivedFrom component",
    "DiagnosticReport": "identifier basedOn status category code subject encounter "
    "effective[x] issued performer resultsInterpreter specimen result imagingStudy media "
    "conclusion conclusionCode presentedForm",
    "Specimen": "identifier accessionIdentifier status type subject receivedTime parent "
    "request collection processing container condition note",
    "MedicationRequest": "identifier status statusReason intent category priority doNotPerform "
    "reported[x] medication[x] subject encounter supportingInformation authoredOn requester "
    "performer performerType recorder reasonCode reasonReference instantiatesCanonical "
    "instantiatesUri basedOn groupIdentifier courseOfTherapyType insurance note "
    "dosageInstruction dispenseRequest substitution priorPrescription detectedIssue "
    "eventHistory",
    "MedicationDispense": "identifier partOf status statusReason[x] category medication[x] "
    "subject context supportingInformation performer location authorizingPrescription type "
    "quantity daysSupply whenPrepared whenHandedOver destination receiver note "
    "dosageInstruction substitution detectedIssue eventHistory",
    "Procedure": "identifier instantiatesCanonical instantiatesUri basedOn partOf status "
    "statusReason category code subject encounter performed[x] recorder asserter performer "
    "location reasonCode reasonReference bodySite outcome report complication "
    "complicationDetail followUp note focalDevice usedReference usedCode",
    "Immunization": "identifier status statusReason vaccineCode patient encounter "
    "occurrence[x] recorded primarySource reportOrigin location manufacturer lotNumber "
    "expirationDate site route doseQuantity performer note reasonCode reasonReference "
    "isSubpotent subpotentReason education programEligibility fundingSource reaction "
    "protocolApplied",
    "AllergyIntolerance": "identifier clinicalStatus verificationStatus type category "
    "criticality code patient encounter onset[x] recordedDate recorder asserter "
    "lastOccurrence note reaction",
    "Coverage": "identifier status type policyHolder subscriber subscriberId beneficiary "
    "dependent relationship period payor class order network costToBeneficiary subrogation "
    "contract",
    "Claim": "identifier status type subType use patient billablePeriod created enterer "
    "insurer provider priority fundsReserve related prescription originalPrescription payee "
    "referral facility careTeam supportingInfo diagnosis procedure insurance accident item "
    "total",
    "DocumentReference": "masterIdentifier identifier status docStatus type category subject "
    "date author authenticator custodian relatesTo description securityLabel content context",
    "Composition": "identifier status type category subject encounter date author title "
    "confidentiality attester custodian relatesTo event section",
    "ServiceRequest": "identifier instantiatesCanonical instantiatesUri basedOn replaces "
    "requisition status intent category priority doNotPerform code orderDetail quantity[x] "
    "subject encounter occurrence[x] asNeeded[x] authoredOn requester performerType "
    "performer locationCode locationReference reasonCode reasonReference insurance "
    "supportingInfo specimen bodySite note patientInstruction relevantHistory",
    "Task": "identifier instantiatesCanonical instantiatesUri basedOn groupIdentifier partOf "
    "status statusReason businessStatus intent priority code description focus for encounter "
    "executionPeriod authoredOn lastModified requester performerType owner location "
    "reasonCode reasonReference insurance note relevantHistory restriction input output",
    "Communication": "identifier instantiatesCanonical instantiatesUri basedOn partOf "
    "inResponseTo status statusReason category priority medium subject topic about encounter "
    "sent received recipient sender reasonCode reasonReference payload note",
    "Appointment": "identifier status cancelationReason serviceCategory serviceType specialty "
    "appointmentType reasonCode reasonReference priority description supportingInformation "
    "start end minutesDuration slot created comment patientInstruction basedOn participant "
    "requestedPeriod",
    "AuditEvent": "type subtype action period recorded outcome outcomeDesc purposeOfEvent "
    "agent source entity",
    "Provenance": "target occurred[x] recorded policy location reason activity agent entity "
    "signature",
}


@cache
def allowed_elements(res_type: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """Plain element names and the prefixes of choice elements ("effective" for effective[x])."""
    names = (_COMMON + " " + ELEMENTS[res_type]).split()
    plain = frozenset(n for n in names if not n.endswith("[x]"))
    choices = tuple(n[:-3] for n in names if n.endswith("[x]"))
    return plain | {"resourceType"}, choices
