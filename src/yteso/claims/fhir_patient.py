"""XML1 → Patient and Coverage (pure).

One Patient per patient of a facility: `Patient/{MA_CSKCB}-{MA_BN}`, carrying MA_BN as the
facility's internal id, so the patient index (called by the record store on every Patient
write) keeps one source record per facility patient. The Patient is written when it is new;
afterwards a claim never overwrites it: `differences` lists what the claim says otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from yteso.claims.envelope import Record
from yteso.claims.fhir_terms import (
    ADDRESS_EXTENSION,
    ETHNICITY_CODES,
    ETHNICITY_EXTENSION,
    INSURER_CODE,
    NATIONALITY_EXTENSION,
    OCCUPATION_EXTENSION,
    SID,
    TERMINOLOGY,
    EpisodeContext,
    Resource,
    coding,
    compact,
    concept,
    date,
    extension_url,
    facility_ref,
    local_system,
    resource_id,
    split_codes,
)
from yteso.core.text import nfc

_GENDER = {"1": "male", "2": "female", "3": "other"}
_PERSON_IDS = (
    (re.compile(r"^\d{12}$", re.ASCII), "national_id"),
    (re.compile(r"^\d{9}$", re.ASCII), "citizen_id"),
    (re.compile(r"^[A-Z]\d{7}$", re.ASCII), "passport_number"),
)
_CARD = re.compile(r"^[A-Z]{2}\d{13}$", re.ASCII)
INSURER = {
    "type": "Organization",
    "identifier": {"system": local_system("payor"), "value": INSURER_CODE},
    "display": "Bảo hiểm xã hội Việt Nam",
}


def patient_id(facility: str, summary: Record) -> str:
    local = summary.get("MA_BN") or summary.get("SO_CCCD") or summary.get("MA_LK") or ""
    return resource_id(facility, local.strip())


def _identifiers(ctx: EpisodeContext) -> list[dict[str, Any]]:
    summary = ctx.summary
    found: list[dict[str, Any]] = []
    if summary.get("MA_BN"):
        found.append(
            {
                "system": SID + "patient-internal-id",
                "value": summary["MA_BN"],
                "assigner": facility_ref(ctx.facility),
            }
        )
    person_id = (summary.get("SO_CCCD") or "").strip()
    for pattern, kind in _PERSON_IDS:
        if pattern.match(person_id):
            found.append({"system": SID + kind, "value": person_id})
            break
    for card in split_codes(summary.get("MA_THE_BHYT")):
        if _CARD.match(card):
            found.append({"system": SID + "insurance_number", "value": card})
    return found


def _name(full_name: str | None) -> list[dict[str, Any]]:
    words = nfc(full_name or "").split()
    if not words:
        return []
    name: dict[str, Any] = {"use": "official", "text": " ".join(words), "family": words[0]}
    if len(words) > 1:
        name["given"] = words[1:]
    return [name]


def _address(summary: Record) -> list[dict[str, Any]]:
    codes = [
        {"url": part, "valueCoding": coding(local_system(field), summary[field])}
        for part, field in (
            ("province", "MATINH_CU_TRU"),
            ("district", "MAHUYEN_CU_TRU"),
            ("ward", "MAXA_CU_TRU"),
        )
        if summary.get(field) and summary[field].strip("0")
    ]
    address: dict[str, Any] = {"use": "home", "text": summary.get("DIA_CHI"), "country": "VN"}
    if codes:
        address["extension"] = [{"url": ADDRESS_EXTENSION, "extension": codes}]
    return [compact(address)] if summary.get("DIA_CHI") or codes else []


def _patient_extensions(summary: Record) -> list[dict[str, Any]]:
    found = []
    for url, field, system in (
        (ETHNICITY_EXTENSION, "MA_DANTOC", ETHNICITY_CODES),
        (NATIONALITY_EXTENSION, "MA_QUOCTICH", local_system("MA_QUOCTICH")),
        (OCCUPATION_EXTENSION, "MA_NGHE_NGHIEP", local_system("MA_NGHE_NGHIEP")),
    ):
        if summary.get(field):
            found.append({"url": url, "valueCoding": coding(system, summary[field])})
    return found


def patient(ctx: EpisodeContext) -> Resource:
    summary = ctx.summary
    phone = (summary.get("DIEN_THOAI") or "").strip()
    return compact(
        {
            "resourceType": "Patient",
            "id": ctx.patient_id,
            "meta": ctx.meta("XML1"),
            "extension": _patient_extensions(summary),
            "identifier": _identifiers(ctx),
            "active": True,
            "name": _name(summary.get("HO_TEN")),
            "telecom": [{"system": "phone", "value": phone, "use": "mobile"}] if phone else [],
            "gender": _GENDER.get(summary.get("GIOI_TINH", "")),
            "birthDate": date(summary.get("NGAY_SINH")),
            "address": _address(summary),
        }
    )


def _card_class(card: str) -> list[dict[str, Any]]:
    """Beneficiary group (2 letters) and benefit level digit of the card number."""
    return [
        {"type": concept(TERMINOLOGY + "coverage-class", "group"), "value": card[:2]},
        {"type": concept(TERMINOLOGY + "coverage-class", "plan"), "value": card[2:3]},
    ]


def _coverage_extensions(summary: Record, index: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    registered = split_codes(summary.get("MA_DKBD"))
    if index < len(registered):
        found.append(
            {"url": extension_url("MA_DKBD"), "valueReference": facility_ref(registered[index])}
        )
    for field in ("MA_KHUVUC", "NAM_NAM_LIEN_TUC", "NGAY_MIEN_CCT"):
        if summary.get(field):
            found.append({"url": extension_url(field), "valueString": summary[field]})
    return found


def coverages(ctx: EpisodeContext) -> list[Resource]:
    """One Coverage per BHYT card of MA_THE_BHYT (`;`-separated, with their periods)."""
    summary = ctx.summary
    starts, ends = split_codes(summary.get("GT_THE_TU")), split_codes(summary.get("GT_THE_DEN"))
    found = []
    for index, card in enumerate(split_codes(summary.get("MA_THE_BHYT"))):
        period = {
            "start": date(starts[index]) if index < len(starts) else None,
            "end": date(ends[index]) if index < len(ends) else None,
        }
        identifier = [{"system": SID + "insurance_number", "value": card}]
        found.append(
            compact(
                {
                    "resourceType": "Coverage",
                    "id": ctx.id("XML1", f"THE{index + 1}"),
                    "meta": ctx.meta("XML1"),
                    "extension": _coverage_extensions(summary, index),
                    "identifier": identifier if _CARD.match(card) else [],
                    "status": "active",
                    "type": concept(TERMINOLOGY + "v3-ActCode", "PUBLICPOL", "Bảo hiểm y tế"),
                    "subscriberId": card,
                    "beneficiary": ctx.patient,
                    "period": compact(period),
                    "payor": [INSURER],
                    "class": _card_class(card),
                }
            )
        )
    return found


def _facts(resource: dict[str, Any]) -> dict[str, Any]:
    names = resource.get("name") or [{}]
    identifiers = {
        (i.get("system"), i.get("value"))
        for i in resource.get("identifier") or []
        if i.get("system", "").startswith(SID)
    }
    return {
        "HO_TEN": names[0].get("text")
        or " ".join([names[0].get("family", ""), *names[0].get("given", [])]),
        "NGAY_SINH": resource.get("birthDate"),
        "GIOI_TINH": resource.get("gender"),
        "identifiers": identifiers,
    }


def differences(stored: dict[str, Any], claimed: Resource) -> list[str]:
    """QĐ 130 fields where the claim disagrees with the stored Patient (new identifiers
    count: the claim does not add them on its own)."""
    have, said = _facts(stored), _facts(claimed)
    found = [f for f in ("HO_TEN", "NGAY_SINH", "GIOI_TINH") if said[f] and have[f] != said[f]]
    extra = said["identifiers"] - have["identifiers"]
    systems = {system.removeprefix(SID) for system, _value in extra}
    found += [_ID_FIELDS.get(system, system) for system in sorted(systems)]
    return found


_ID_FIELDS = {
    "patient-internal-id": "MA_BN",
    "national_id": "SO_CCCD",
    "citizen_id": "SO_CCCD",
    "passport_number": "SO_CCCD",
    "insurance_number": "MA_THE_BHYT",
}
