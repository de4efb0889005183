"""Systems, URLs, ids and value conversions of the QĐ 130 → FHIR mapping (pure).

Every URL the mapping writes is here, so the local ones can be swapped for the Ministry's
when it publishes them (docs/claims-mapping.md). Local code systems and extensions use
`urn:yteso:qd130:` until then (*unverified*: VN Core has no system for these QĐ 130 lists).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from yteso.claims.envelope import Record
from yteso.core.text import is_digits
from yteso.reference import icd10

Resource = dict[str, Any]

SID = "http://fhir.ehealth.gov.vn/core/sid/"
CORE = "http://fhir.ehealth.gov.vn/core/"
ICD10 = "http://terminology.hl7.org/CodeSystem/icd10"  # the VN Core ICD-10 system
ICD9CM = "http://hl7.org/fhir/sid/icd-9-cm"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
MEDICATION_CODES = CORE + "CodeSystem/vn-core-medicationCode"
SERVICE_CODES = CORE + "CodeSystem/vn-core-procedureCode"
ETHNICITY_CODES = CORE + "CodeSystem/vn-core-ethic"
ETHNICITY_EXTENSION = CORE + "StructureDefinition/extension-ethic"
NATIONALITY_EXTENSION = CORE + "StructureDefinition/extension-nationality"
OCCUPATION_EXTENSION = CORE + "StructureDefinition/extension-occupation"
ADDRESS_EXTENSION = CORE + "StructureDefinition/extension-administrative-address"
# The draft IG's SID-Provider-Code names the Ministry's facility code (MA_CSKCB); its
# uniqueId repeats another NamingSystem's, so the URL here is ours (*unverified*).
FACILITY_SYSTEM = SID + "provider-code"
# MA_BAC_SI is a practising certificate; the draft IG has no NamingSystem for it
# (provider-license-number is the facility's business registration).
PRACTITIONER_SYSTEM = "urn:yteso:qd130:practising-certificate"
INSURER_CODE = "BHXH"  # Bảo hiểm xã hội Việt Nam, payor of every BHYT card
CLAIMS_TAG_SYSTEM = "urn:yteso:claims"
TERMINOLOGY = "http://terminology.hl7.org/CodeSystem/"
ENTERED_IN_ERROR = "entered-in-error"
_LOCAL = "urn:yteso:qd130:"
_SAFE_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$", re.ASCII)


def local_system(field: str) -> str:
    """The local code system of a QĐ 130 code list (MA_LOAI_KCB, KET_QUA_DTRI …)."""
    return _LOCAL + field


def extension_url(field: str) -> str:
    return _LOCAL + "ext:" + field


def resource_id(facility: str, *parts: str) -> str:
    """`{MA_CSKCB}-{MA_LK}[-XMLn-STT]`; hashed when MA_LK has characters or a length FHIR
    ids do not allow, so the same episode always gets the same ids."""
    text = "-".join((facility, *parts))
    if _SAFE_ID.match(text):
        return text
    return f"{facility}-x{hashlib.sha256(text.encode()).hexdigest()[:40]}"


def date(value: str | None) -> str | None:
    """yyyymmdd (also the first 8 digits of yyyymmddHHMM) as a FHIR date; the QĐ 130 `00`
    of an unknown day or month gives a partial date."""
    if not value or len(value) < 8 or not is_digits(value[:8]):
        return None
    year, month, day = value[:4], value[4:6], value[6:8]
    if month == "00":
        return year
    return f"{year}-{month}" if day == "00" else f"{year}-{month}-{day}"


@lru_cache(maxsize=8192)
def moment(value: str | None) -> str | None:
    """yyyymmddHHMM, Vietnam local time, as a dateTime with its +07:00 offset.

    Cached: an episode repeats the same few moments on many lines and resources."""
    if not value or len(value) != 12 or not is_digits(value):
        return date(value) if value and len(value) == 8 else None
    return f"{value[:4]}-{value[4:6]}-{value[6:8]}T{value[8:10]}:{value[10:12]}:00+07:00"


def number(value: str | None) -> float | int | None:
    """A QĐ 130 decimal for JSON. Amounts have at most 2 decimals and a float is written
    back as its shortest repr, so the JSON text keeps the decimal written in the XML."""
    if not value:
        return None
    try:
        return _numbers[value]
    except KeyError:
        pass
    text = value.strip()
    found = (float(text) if "." in text else int(text)) if _NUMBER.match(text) else None
    if len(_numbers) >= _NUMBERS_KEPT:
        _numbers.clear()
    _numbers[value] = found
    return found


# Amounts and quantities repeat a lot ("0", prices): each text is converted once.
_numbers: dict[str, float | int | None] = {}
_NUMBERS_KEPT = 100_000


def money(value: str | None) -> dict[str, Any] | None:
    amount = number(value)
    return None if amount is None else {"value": amount, "currency": "VND"}


def coding(system: str, code: str, display: str | None = None) -> dict[str, str]:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def concept(system: str, code: str | None, text: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"coding": [coding(system, code)]} if code else {}
    if text:
        found["text"] = text
    return found


def icd10_reasons(*values: str | None) -> list[dict[str, Any]]:
    """`;`-separated ICD-10 codes as concepts with the QĐ 4469 dotted code (as Conditions
    carry it, so a search by code finds both), each once."""
    found: list[dict[str, Any]] = []
    for value in values:
        for code in split_codes(value):
            known = icd10.get(code)
            reason = {"coding": [coding(ICD10, known.code if known else code)]}
            if reason not in found:
                found.append(reason)
    return found


def category(system: str, code: str) -> list[dict[str, Any]]:
    return [{"coding": [coding(TERMINOLOGY + system, code)]}]


def ref(res_type: str, res_id: str) -> dict[str, str]:
    return {"reference": f"{res_type}/{res_id}"}


def facility_ref(code: str | None) -> dict[str, Any] | None:
    """An Organization by its Ministry code: the registry is not mirrored as FHIR
    Organizations, so a reference by identifier (valid R4) rather than Organization/{id}."""
    if not code:
        return None
    return {"type": "Organization", "identifier": {"system": FACILITY_SYSTEM, "value": code}}


def practitioner_ref(licence: str | None, name: str | None = None) -> dict[str, Any] | None:
    if not licence:
        return None
    found: dict[str, Any] = {
        "type": "Practitioner",
        "identifier": {"system": PRACTITIONER_SYSTEM, "value": licence},
    }
    if name:
        found["display"] = name
    return found


def split_codes(value: str | None) -> list[str]:
    """`;`-separated lists (MA_BENH_KT, MA_THE_BHYT …), blanks dropped, order kept."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


# A tuple, not `str | list | dict`: that union would be built again at every value tested.
_EMPTIABLE = (str, list, dict)


def compact(resource: Resource) -> Resource:
    """Drop the elements left empty (None, "", [], {}) at the top level; 0 and False stay.

    Callers pass a dict they have just built, so when no value is falsy (two thirds of the
    calls) that dict is returned as is rather than copied."""
    if all(resource.values()):
        return resource
    return {
        k: v for k, v in resource.items() if v or (v is not None and not isinstance(v, _EMPTIABLE))
    }


def extensions(record: Record, fields: tuple[str, ...]) -> list[dict[str, str]]:
    """QĐ 130 fields with no FHIR element, kept as string extensions."""
    return [
        {"url": extension_url(name), "valueString": record[name]}
        for name in fields
        if record.get(name)
    ]


@dataclass(frozen=True, slots=True)
class EpisodeContext:
    """What every resource of one episode shares: its ids, the patient, the provenance."""

    facility: str  # MA_CSKCB of the sender
    ma_lk: str
    patient_id: str
    source: str  # meta.source: urn:yteso:claims:{maGiaoDich}
    summary: Record  # the XML1 record
    # Line resources named by STT, as before 2026-12-02: to find what an earlier intake
    # stored under those ids when the episode is sent again (fhir_intake).
    ids_by_stt: bool = False
    # The id of the Encounter and the Claim, made once: every line's resources refer to it.
    episode_id: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "episode_id", resource_id(self.facility, self.ma_lk))

    def id(self, *parts: str) -> str:
        return resource_id(self.facility, self.ma_lk, *parts) if parts else self.episode_id

    @property
    def patient(self) -> dict[str, str]:
        return ref("Patient", self.patient_id)

    @property
    def encounter(self) -> dict[str, str]:
        return ref("Encounter", self.episode_id)

    def meta(self, table: str) -> dict[str, Any]:
        return {"source": self.source, "tag": [{"system": CLAIMS_TAG_SYSTEM, "code": table}]}

    def identifier(self, field: str, value: str | None) -> list[dict[str, str]]:
        """A facility-scoped business identifier (MA_LK, MA_HSBA, SO_CHUYENTUYEN …)."""
        system = f"{local_system(field)}:{self.facility}"
        return [{"system": system, "value": value}] if value else []
