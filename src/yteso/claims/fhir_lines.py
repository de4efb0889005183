"""Lines of an episode → clinical resources (pure).

XML2 drug line → MedicationRequest + MedicationDispense; XML3 procedure or surgery line
(MA_NHOM 8, 18) → Procedure (every XML3 line is also a Claim item, fhir_claim); XML4
results → one Observation per row and one DiagnosticReport per service (MA_DICH_VU); XML5
clinical course → one Observation (LOINC 8648-8, hospital course) per row.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any

from yteso.claims.envelope import Episode, Record
from yteso.claims.fhir_terms import (
    ICD9CM,
    LOINC,
    MEDICATION_CODES,
    SERVICE_CODES,
    EpisodeContext,
    Resource,
    category,
    coding,
    compact,
    concept,
    extensions,
    icd10_reasons,
    local_system,
    moment,
    number,
    practitioner_ref,
    ref,
    resource_id,
    split_codes,
)

PROCEDURE_GROUPS = frozenset({"8", "18"})  # MA_NHOM: thủ thuật, phẫu thuật
# MA_NHOM of the XML3 line that ordered a result → Observation/DiagnosticReport category.
_RESULT_CATEGORY = {"1": "laboratory", "2": "imaging", "3": "procedure"}


# What makes a line the same line in a corrected resend (STT is renumbered 1, 2, 3 … on
# every send, so a line removed in the middle would shift every later STT).
_LINE_IDENTITY = {
    "XML2": ("MA_THUOC", "NGAY_YL"),
    "XML3": ("MA_DICH_VU", "MA_VAT_TU", "NGAY_YL"),
    "XML4": ("MA_DICH_VU", "MA_CHI_SO"),
    "XML5": ("THOI_DIEM_DBLS",),
}


def _keys(ctx: EpisodeContext, table: str, records: list[Record]) -> list[str]:
    if ctx.ids_by_stt:  # the ids of intakes before 2026-12-02
        return [(r.get("STT") or "").strip() or str(n) for n, r in enumerate(records, 1)]
    return line_keys(table, records)


def line_keys(table: str, records: list[Record]) -> list[str]:
    """Each line's part of its resources' ids `…-XMLn-{key}`: a digest of what identifies
    the line, and how many lines before it the same fields identify (two doses of one drug
    ordered at once). A corrected line keeps its id; a removed one leaves the others theirs."""
    seen: Counter[str] = Counter()
    keys = []
    for record in records:
        identity = "|".join((record.get(name) or "").strip() for name in _LINE_IDENTITY[table])
        seen[identity] += 1
        keys.append(hashlib.sha256(f"{identity}|{seen[identity]}".encode()).hexdigest()[:12])
    return keys


def _medication(record: Record) -> dict[str, Any]:
    text = " ".join(p for p in (record.get("TEN_THUOC"), record.get("HAM_LUONG")) if p)
    return concept(MEDICATION_CODES, record.get("MA_THUOC"), text or None)


def _dosage(record: Record) -> list[dict[str, Any]]:
    dosage = compact(
        {
            "text": record.get("LIEU_DUNG"),
            "patientInstruction": record.get("CACH_DUNG"),
            "route": concept(local_system("DUONG_DUNG"), record.get("DUONG_DUNG")),
        }
    )
    return [dosage] if dosage else []


def _quantity(record: Record) -> dict[str, Any]:
    return compact({"value": number(record.get("SO_LUONG")), "unit": record.get("DON_VI_TINH")})


_DRUG_EXTENSIONS = ("SO_DANG_KY", "DANG_BAO_CHE", "MA_PP_CHEBIEN", "NGUON_CTRA")


def _request(ctx: EpisodeContext, record: Record, line_id: str) -> Resource:
    return compact(
        {
            "resourceType": "MedicationRequest",
            "id": line_id,
            "meta": ctx.meta("XML2"),
            "extension": extensions(record, _DRUG_EXTENSIONS),
            "status": "completed",
            "intent": "order",
            "medicationCodeableConcept": _medication(record),
            "subject": ctx.patient,
            "encounter": ctx.encounter,
            "authoredOn": moment(record.get("NGAY_YL")),
            "requester": practitioner_ref(record.get("MA_BAC_SI")),
            "dosageInstruction": _dosage(record),
            "dispenseRequest": {"quantity": _quantity(record)},
        }
    )


def _dispense(ctx: EpisodeContext, record: Record, line_id: str) -> Resource:
    return compact(
        {
            "resourceType": "MedicationDispense",
            "id": line_id,
            "meta": ctx.meta("XML2"),
            "status": "completed",
            "medicationCodeableConcept": _medication(record),
            "subject": ctx.patient,
            "context": ctx.encounter,
            "authorizingPrescription": [ref("MedicationRequest", line_id)],
            "quantity": _quantity(record),
            "whenHandedOver": moment(record.get("NGAY_TH_YL")),
            "dosageInstruction": _dosage(record),
        }
    )


def drug_resources(ctx: EpisodeContext, episode: Episode) -> list[Resource]:
    found = []
    records = episode.records("XML2")
    for record, key in zip(records, _keys(ctx, "XML2", records), strict=True):
        line_id = ctx.id("XML2", key)
        found += [_request(ctx, record, line_id), _dispense(ctx, record, line_id)]
    return found


def _performed(record: Record) -> dict[str, Any]:
    start, end = moment(record.get("NGAY_TH_YL")), moment(record.get("NGAY_KQ"))
    if start and end:
        return {"performedPeriod": {"start": start, "end": end}}
    return {"performedDateTime": start} if start else {}


def _procedure_code(record: Record) -> dict[str, Any]:
    code = concept(SERVICE_CODES, record.get("MA_DICH_VU"), record.get("TEN_DICH_VU"))
    icd9 = [coding(ICD9CM, c) for c in split_codes(record.get("MA_PTTT_QT"))]
    if icd9:
        code["coding"] = code.get("coding", []) + icd9
    return code


def procedures(ctx: EpisodeContext, episode: Episode) -> list[Resource]:
    found = []
    records = episode.records("XML3")
    for record, key in zip(records, _keys(ctx, "XML3", records), strict=True):
        if record.get("MA_NHOM") not in PROCEDURE_GROUPS:
            continue
        performers = [practitioner_ref(p) for p in split_codes(record.get("NGUOI_THUC_HIEN"))]
        found.append(
            compact(
                {
                    "resourceType": "Procedure",
                    "id": ctx.id("XML3", key),
                    "meta": ctx.meta("XML3"),
                    "extension": extensions(record, ("PP_VO_CAM", "MA_MAY")),
                    "status": "completed",
                    "code": _procedure_code(record),
                    "subject": ctx.patient,
                    "encounter": ctx.encounter,
                    **_performed(record),
                    "performer": [{"actor": p} for p in performers if p],
                    # Empty MA_BENH: "DVKT được chỉ định để điều trị bệnh chính".
                    "reasonCode": icd10_reasons(
                        record.get("MA_BENH") or ctx.summary.get("MA_BENH_CHINH")
                    ),
                    "bodySite": [{"text": record["VI_TRI_TH_DVKT"]}]
                    if record.get("VI_TRI_TH_DVKT")
                    else [],
                }
            )
        )
    return found


def _value(record: Record) -> dict[str, Any]:
    text = (record.get("GIA_TRI") or "").strip()
    value = number(text)
    if value is not None:
        return {"valueQuantity": compact({"value": value, "unit": record.get("DON_VI_DO")})}
    return {"valueString": text} if text else {}


def _observation(
    ctx: EpisodeContext, record: Record, key: str, kind: str, names: dict[str, str]
) -> Resource:
    service = record.get("MA_DICH_VU", "")
    code = record.get("MA_CHI_SO")
    return compact(
        {
            "resourceType": "Observation",
            "id": ctx.id("XML4", key),
            "meta": ctx.meta("XML4"),
            "status": "final",
            "category": category("observation-category", kind),
            "code": concept(local_system("MA_CHI_SO"), code, record.get("TEN_CHI_SO"))
            if code
            else concept(SERVICE_CODES, service, names.get(service)),
            "subject": ctx.patient,
            "encounter": ctx.encounter,
            "effectiveDateTime": moment(record.get("NGAY_KQ")),
            **_value(record),
            "note": [{"text": record["MO_TA"]}] if record.get("MO_TA") else [],
        }
    )


def results(ctx: EpisodeContext, episode: Episode) -> list[Resource]:
    """Observations first, then the DiagnosticReports that list them (references point back)."""
    services = {r.get("MA_DICH_VU", ""): r for r in episode.records("XML3")}
    names = {code: r.get("TEN_DICH_VU", "") for code, r in services.items()}
    groups: dict[str, list[Resource]] = {}
    rows: dict[str, list[Record]] = {}
    found: list[Resource] = []
    records = episode.records("XML4")
    for record, key in zip(records, _keys(ctx, "XML4", records), strict=True):
        service = record.get("MA_DICH_VU", "")
        kind = _RESULT_CATEGORY.get(services.get(service, {}).get("MA_NHOM", ""), "laboratory")
        observation = _observation(ctx, record, key, kind, names)
        found.append(observation)
        groups.setdefault(service, []).append(observation)
        rows.setdefault(service, []).append(record)
    for service, observations in groups.items():
        found.append(_report(ctx, service, names.get(service), observations, rows[service]))
    return found


def _report(
    ctx: EpisodeContext,
    service: str,
    name: str | None,
    observations: list[Resource],
    records: list[Record],
) -> Resource:
    issued = max((r.get("NGAY_KQ") or "" for r in records), default="")
    conclusion = next((r["KET_LUAN"] for r in records if r.get("KET_LUAN")), None)
    reader = next((r["MA_BS_DOC_KQ"] for r in records if r.get("MA_BS_DOC_KQ")), None)
    return compact(
        {
            "resourceType": "DiagnosticReport",
            "id": resource_id(ctx.facility, ctx.ma_lk, "XML4", "DV", service),
            "meta": ctx.meta("XML4"),
            "status": "final",
            "category": observations[0]["category"],
            "code": concept(SERVICE_CODES, service, name),
            "subject": ctx.patient,
            "encounter": ctx.encounter,
            "effectiveDateTime": moment(issued),
            "issued": moment(issued),
            "resultsInterpreter": [practitioner_ref(reader)] if reader else [],
            "result": [ref("Observation", o["id"]) for o in observations],
            "conclusion": conclusion,
        }
    )


def _course_notes(record: Record) -> list[dict[str, str]]:
    return [
        {"text": f"{label}: {record[field]}"}
        for field, label in (
            ("GIAI_DOAN_BENH", "Giai đoạn bệnh"),
            ("HOI_CHAN", "Hội chẩn"),
            ("PHAU_THUAT", "Phẫu thuật"),
        )
        if record.get(field)
    ]


def clinical_course(ctx: EpisodeContext, episode: Episode) -> list[Resource]:
    found = []
    records = episode.records("XML5")
    for record, key in zip(records, _keys(ctx, "XML5", records), strict=True):
        author = practitioner_ref(record.get("NGUOI_THUC_HIEN"))
        found.append(
            compact(
                {
                    "resourceType": "Observation",
                    "id": ctx.id("XML5", key),
                    "meta": ctx.meta("XML5"),
                    "status": "final",
                    "category": category("observation-category", "exam"),
                    "code": {
                        "coding": [coding(LOINC, "8648-8", "Hospital course Narrative")],
                        "text": "Diễn biến lâm sàng",
                    },
                    "subject": ctx.patient,
                    "encounter": ctx.encounter,
                    "effectiveDateTime": moment(record.get("THOI_DIEM_DBLS")),
                    "performer": [author] if author else [],
                    "valueString": record.get("DIEN_BIEN_LS"),
                    "note": _course_notes(record),
                }
            )
        )
    return found
