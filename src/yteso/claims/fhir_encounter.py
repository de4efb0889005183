"""XML1 → Encounter, its Conditions (principal + up to 12 secondary) and the measurements
the summary carries (weight, blood group) (pure)."""

from __future__ import annotations

from typing import Any

from yteso.claims.fhir_terms import (
    ICD10,
    LOINC,
    TERMINOLOGY,
    UCUM,
    EpisodeContext,
    Resource,
    category,
    coding,
    compact,
    concept,
    date,
    extension_url,
    extensions,
    facility_ref,
    local_system,
    moment,
    number,
    split_codes,
)
from yteso.reference import icd10

MAX_SECONDARY = 12
# MA_LOAI_KCB → v3 ActEncounterCode (class) and the QĐ 130 meaning (type text).
_KINDS = {
    "01": ("AMB", "Khám bệnh"),
    "02": ("AMB", "Điều trị ngoại trú"),
    "03": ("IMP", "Điều trị nội trú"),
    "04": ("SS", "Điều trị nội trú ban ngày"),
    "05": ("AMB", "Điều trị ngoại trú các bệnh mạn tính dài ngày có khám bệnh và lĩnh thuốc"),
    "06": ("IMP", "Điều trị lưu tại trạm y tế tuyến xã"),
    "07": ("AMB", "Nhận thuốc theo hẹn"),
    "08": ("AMB", "Điều trị ngoại trú các bệnh mạn tính dài ngày có sử dụng dịch vụ"),
    "09": ("OBSENC", "Điều trị nội trú dưới 04 giờ"),
    "10": ("AMB", "Các trường hợp khác"),
}
_CLASS_NAMES = {
    "AMB": "ambulatory",
    "IMP": "inpatient encounter",
    "SS": "short stay",
    "OBSENC": "observation encounter",
}
_EXITS = {
    "1": "Ra viện",
    "2": "Chuyển tuyến theo yêu cầu chuyên môn",
    "3": "Trốn viện",
    "4": "Xin ra viện",
    "5": "Chuyển tuyến theo yêu cầu người bệnh",
}
_OUTCOMES = {
    "1": "Khỏi",
    "2": "Đỡ",
    "3": "Không thay đổi",
    "4": "Nặng hơn",
    "5": "Tử vong",
    "6": "Tiên lượng nặng xin về",
    "7": "Chưa xác định",
    "8": "Tử vong ngoài viện",
}
_EMERGENCY = "2"  # MA_DOITUONG_KCB: cấp cứu
_KEPT_AS_EXTENSIONS = (
    "MA_DOITUONG_KCB",
    "MA_TAI_NAN",
    "MA_LY_DO_VNT",
    "LY_DO_VNT",
    "PP_DIEU_TRI",
    "GHI_CHU",
)


def _admitted(summary: dict[str, str]) -> list[dict[str, str]]:
    """NGAY_VAO_NOI_TRU, a time like the others: a dateTime at +07:00."""
    admitted = moment(summary.get("NGAY_VAO_NOI_TRU"))
    return (
        [{"url": extension_url("NGAY_VAO_NOI_TRU"), "valueDateTime": admitted}] if admitted else []
    )


def diagnosis_codes(summary: dict[str, str]) -> list[str]:
    """MA_BENH_CHINH then up to 12 MA_BENH_KT, each once, as the QĐ 4469 dotted code."""
    found: list[str] = []
    written = split_codes(summary.get("MA_BENH_CHINH"))[:1]
    written += split_codes(summary.get("MA_BENH_KT"))[:MAX_SECONDARY]
    for code in written:
        known = icd10.get(code)
        dotted = known.code if known else code
        if dotted not in found:
            found.append(dotted)
    return found


def condition_id(ctx: EpisodeContext, code: str) -> str:
    return ctx.id("XML1", code)


def conditions(ctx: EpisodeContext) -> list[Resource]:
    summary = ctx.summary
    found = []
    for rank, code in enumerate(diagnosis_codes(summary), start=1):
        known = icd10.get(code)
        text = summary.get("CHAN_DOAN_RV") if rank == 1 else None
        found.append(
            compact(
                {
                    "resourceType": "Condition",
                    "id": condition_id(ctx, code),
                    "meta": ctx.meta("XML1"),
                    "verificationStatus": concept(
                        TERMINOLOGY + "condition-ver-status", "confirmed"
                    ),
                    "category": category("condition-category", "encounter-diagnosis"),
                    "code": {
                        "coding": [coding(ICD10, code, known.name_vi if known else None)],
                        **({"text": text} if text else {}),
                    },
                    "subject": ctx.patient,
                    "encounter": ctx.encounter,
                    "recordedDate": date(summary.get("NGAY_RA")),
                }
            )
        )
    return found


def _hospitalization(summary: dict[str, str]) -> dict[str, Any]:
    exit_code, outcome = summary.get("MA_LOAI_RV"), summary.get("KET_QUA_DTRI")
    stay: dict[str, Any] = {
        "origin": facility_ref(summary.get("MA_NOI_DI")),
        "destination": facility_ref(summary.get("MA_NOI_DEN")),
    }
    if exit_code:
        stay["dischargeDisposition"] = concept(
            local_system("MA_LOAI_RV"), exit_code, _EXITS.get(exit_code)
        )
    if outcome:
        stay["extension"] = [
            {
                "url": extension_url("KET_QUA_DTRI"),
                "valueCoding": coding(
                    local_system("KET_QUA_DTRI"), outcome, _OUTCOMES.get(outcome)
                ),
            }
        ]
    return compact(stay)


def _class_and_type(kind: str) -> tuple[dict[str, str], list[dict[str, Any]]]:
    act, label = _KINDS.get(kind, ("AMB", None))
    act_class = coding(TERMINOLOGY + "v3-ActCode", act, _CLASS_NAMES[act])
    return act_class, [concept(local_system("MA_LOAI_KCB"), kind, label)] if kind else []


def _length(days: str | None) -> dict[str, Any] | None:
    value = number(days)
    return None if value is None else {"value": value, "unit": "ngày", "system": UCUM, "code": "d"}


def encounter(ctx: EpisodeContext, diagnoses: list[str]) -> Resource:
    summary = ctx.summary
    act_class, types = _class_and_type(summary.get("MA_LOAI_KCB", ""))
    emergency = summary.get("MA_DOITUONG_KCB") == _EMERGENCY
    department = summary.get("MA_KHOA")
    return compact(
        {
            "resourceType": "Encounter",
            "id": ctx.id(),
            "meta": ctx.meta("XML1"),
            "extension": extensions(summary, _KEPT_AS_EXTENSIONS) + _admitted(summary),
            "identifier": ctx.identifier("MA_LK", ctx.ma_lk)
            + ctx.identifier("MA_HSBA", summary.get("MA_HSBA")),
            "status": "finished",
            "class": act_class,
            "type": types,
            "priority": concept(TERMINOLOGY + "v3-ActPriority", "EM") if emergency else None,
            "subject": ctx.patient,
            "period": compact(
                {"start": moment(summary.get("NGAY_VAO")), "end": moment(summary.get("NGAY_RA"))}
            ),
            "length": _length(summary.get("SO_NGAY_DTRI")),
            "reasonCode": [
                {"text": summary[f]} for f in ("LY_DO_VV", "CHAN_DOAN_VAO") if summary.get(f)
            ],
            "diagnosis": [
                {
                    "condition": {"reference": f"Condition/{condition_id(ctx, code)}"},
                    "use": concept(TERMINOLOGY + "diagnosis-role", "DD"),
                    "rank": rank,
                }
                for rank, code in enumerate(diagnoses, start=1)
            ],
            "hospitalization": _hospitalization(summary),
            "location": [{"location": _department(ctx, department)}] if department else [],
            "serviceProvider": facility_ref(summary.get("MA_CSKCB") or ctx.facility),
        }
    )


def _department(ctx: EpisodeContext, code: str) -> dict[str, Any]:
    system = f"{local_system('MA_KHOA')}:{ctx.facility}"
    return {"type": "Location", "identifier": {"system": system, "value": code}}


def _vital(ctx: EpisodeContext, suffix: str, code: str, name: str) -> Resource:
    return {
        "resourceType": "Observation",
        "id": ctx.id("XML1", suffix),
        "meta": ctx.meta("XML1"),
        "status": "final",
        "category": category("observation-category", "vital-signs"),
        "code": {"coding": [coding(LOINC, code, name)]},
        "subject": ctx.patient,
        "encounter": ctx.encounter,
    }


def measurements(ctx: EpisodeContext) -> list[Resource]:
    """CAN_NANG (kg, at admission) and NHOM_MAU when the summary gives them."""
    summary, found = ctx.summary, []
    weight = number(summary.get("CAN_NANG"))
    admitted = moment(summary.get("NGAY_VAO"))
    if weight:
        observation = _vital(ctx, "CANNANG", "29463-7", "Body weight")
        observation["valueQuantity"] = {"value": weight, "unit": "kg", "system": UCUM, "code": "kg"}
        found.append(compact({**observation, "effectiveDateTime": admitted}))
    if summary.get("NHOM_MAU"):
        observation = _vital(ctx, "NHOMMAU", "882-1", "ABO and Rh group")
        observation["category"] = category("observation-category", "laboratory")
        observation["valueString"] = summary["NHOM_MAU"]
        found.append(compact({**observation, "effectiveDateTime": admitted}))
    return found
