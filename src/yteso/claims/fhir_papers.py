"""Papers of an episode → documents (pure).

XML7 (discharge paper), XML8 (record summary), XML13 (referral letter) and XML14 (follow-up
paper) → a Composition each, with one narrative section per filled field; the referral is
also a ServiceRequest (category referral) and the follow-up a proposed Appointment.
Tables with no structured mapping yet (XML6, XML9, XML10, XML11, XML15) → a DocumentReference
holding the table as sent (application/xml).
"""

from __future__ import annotations

import base64
import html
from typing import Any

from yteso.claims.envelope import ClaimDocument, Episode, Record
from yteso.claims.fhir_terms import (
    LOINC,
    SERVICE_CODES,
    EpisodeContext,
    Resource,
    coding,
    compact,
    concept,
    date,
    facility_ref,
    icd10_reasons,
    moment,
    practitioner_ref,
)
from yteso.claims.xml_writer import write_document

# table → (LOINC document type, title, (field, section title) …)
_PAPERS: dict[str, tuple[str, str, str, tuple[tuple[str, str], ...]]] = {
    "XML7": (
        "18842-5",
        "Discharge summary",
        "Giấy ra viện",
        (
            ("CHAN_DOAN_RV", "Chẩn đoán ra viện"),
            ("PP_DIEUTRI", "Phương pháp điều trị"),
            ("GHI_CHU", "Ghi chú"),
            ("NGUYENNHAN_DINHCHI", "Nguyên nhân đình chỉ thai"),
            ("TUOI_THAI", "Tuổi thai"),
            ("SO_NGAY_NGHI", "Số ngày nghỉ"),
        ),
    ),
    "XML8": (
        "34133-9",
        "Summary of episode note",
        "Tóm tắt hồ sơ bệnh án",
        (
            ("CHAN_DOAN_VAO", "Chẩn đoán vào viện"),
            ("QT_BENHLY", "Quá trình bệnh lý và diễn biến lâm sàng"),
            ("TOMTAT_KQ", "Tóm tắt kết quả cận lâm sàng"),
            ("PP_DIEUTRI", "Phương pháp điều trị"),
            ("CHAN_DOAN_RV", "Chẩn đoán ra viện"),
            ("GHI_CHU", "Ghi chú"),
        ),
    ),
    "XML13": (
        "57133-1",
        "Referral note",
        "Giấy chuyển tuyến",
        (
            ("DAU_HIEU_LS", "Dấu hiệu lâm sàng"),
            ("QT_BENHLY", "Quá trình bệnh lý"),
            ("TOMTAT_KQ", "Tóm tắt kết quả cận lâm sàng"),
            ("CHAN_DOAN_RV", "Chẩn đoán"),
            ("PP_DIEUTRI", "Phương pháp điều trị"),
            ("HUONG_DIEU_TRI", "Hướng điều trị"),
            ("PHUONGTIEN_VC", "Phương tiện vận chuyển"),
        ),
    ),
    "XML14": (
        "18776-5",
        "Plan of care note",
        "Giấy hẹn khám lại",
        (("CHAN_DOAN_RV", "Chẩn đoán"), ("NGAY_HEN_KL", "Ngày hẹn khám lại")),
    ),
}
STRUCTURED = frozenset({"XML1", "XML2", "XML3", "XML4", "XML5", *_PAPERS})
NOT_SENT_BY_HIS = frozenset({"XML0", "XML12"})  # check-in (registration), portal-only


def _section(title: str, text: str) -> dict[str, Any]:
    div = f'<div xmlns="http://www.w3.org/1999/xhtml">{html.escape(text)}</div>'
    return {"title": title, "text": {"status": "generated", "div": div}}


def _author(ctx: EpisodeContext, record: Record) -> list[dict[str, Any]]:
    doctor = practitioner_ref(record.get("MA_BS") or record.get("MA_BAC_SI"), record.get("TEN_BS"))
    head = practitioner_ref(record.get("MA_TTDV"))
    authors = [a for a in (doctor, head) if a]
    return authors or [facility_ref(ctx.facility) or {}]


def composition(ctx: EpisodeContext, table: str, record: Record, number: int) -> Resource:
    code, name, title, fields = _PAPERS[table]
    written = record.get("NGAY_CT") or record.get("NGAY_RA") or ctx.summary.get("NGAY_RA")
    sections = [_section(label, record[f]) for f, label in fields if record.get(f)]
    return compact(
        {
            "resourceType": "Composition",
            "id": ctx.id(table, str(number)),
            "meta": ctx.meta(table),
            "identifier": next(iter(ctx.identifier("SO_LUU_TRU", record.get("SO_LUU_TRU"))), None),
            "status": "final",
            "type": {"coding": [coding(LOINC, code, name)], "text": title},
            "subject": ctx.patient,
            "encounter": ctx.encounter,
            "date": moment(written) if written and len(written) == 12 else date(written),
            "author": _author(ctx, record),
            "title": title,
            "custodian": facility_ref(ctx.facility),
            "section": sections or [_section(title, title)],
        }
    )


def referral(ctx: EpisodeContext, record: Record, number: int) -> Resource:
    return compact(
        {
            "resourceType": "ServiceRequest",
            "id": ctx.id("XML13", str(number)),
            "meta": ctx.meta("XML13"),
            "identifier": ctx.identifier("SO_CHUYENTUYEN", record.get("SO_CHUYENTUYEN")),
            "status": "active",  # open until the receiving facility takes the patient
            "intent": "order",
            "category": [{"coding": [coding("http://snomed.info/sct", "3457005", "Referral")]}],
            "code": concept(SERVICE_CODES, None, record.get("TEN_DICH_VU") or "Chuyển tuyến"),
            "subject": ctx.patient,
            "encounter": ctx.encounter,
            "authoredOn": moment(record.get("NGAY_RA") or ctx.summary.get("NGAY_RA")),
            "requester": facility_ref(record.get("MA_NOI_DI") or ctx.facility),
            "performer": [p for p in (facility_ref(record.get("MA_NOI_DEN")),) if p],
            "reasonCode": icd10_reasons(record.get("MA_BENH_CHINH"), record.get("MA_BENH_KT")),
            "note": [
                {"text": record[f]} for f in ("HUONG_DIEU_TRI", "MA_LYDO_CT") if record.get(f)
            ],
        }
    )


def follow_up(ctx: EpisodeContext, record: Record, number: int) -> Resource:
    """Proposed, not booked: the paper gives a day, and R4 wants start/end for a booking."""
    day = date(record.get("NGAY_HEN_KL"))
    doctor = practitioner_ref(record.get("MA_BAC_SI"))
    participants = [{"actor": ctx.patient, "status": "accepted"}]
    if doctor:
        participants.append({"actor": doctor, "status": "accepted"})
    return compact(
        {
            "resourceType": "Appointment",
            "id": ctx.id("XML14", str(number)),
            "meta": ctx.meta("XML14"),
            "identifier": ctx.identifier("SO_GIAYHEN_KL", record.get("SO_GIAYHEN_KL")),
            "status": "proposed",
            "reasonCode": icd10_reasons(record.get("MA_BENH_CHINH")),
            "description": "Hẹn khám lại",
            "created": date(record.get("NGAY_CT")),
            "participant": participants,
            "requestedPeriod": [{"start": day, "end": day}] if day else [],
        }
    )


def raw_table(ctx: EpisodeContext, document: ClaimDocument, number: int) -> Resource:
    data = base64.b64encode(write_document(document)).decode("ascii")
    return {
        "resourceType": "DocumentReference",
        "id": ctx.id(document.table, str(number)),
        "meta": ctx.meta(document.table),
        "status": "current",
        "type": {"text": f"QĐ 130 {document.table}"},
        "subject": ctx.patient,
        "custodian": facility_ref(ctx.facility),
        "content": [{"attachment": {"contentType": "application/xml", "data": data}}],
        "context": {"encounter": [ctx.encounter]},
    }


def _paper(ctx: EpisodeContext, table: str, record: Record, number: int) -> list[Resource]:
    found = [composition(ctx, table, record, number)]
    if table == "XML13":
        found.insert(0, referral(ctx, record, number))
    elif table == "XML14":
        found.insert(0, follow_up(ctx, record, number))
    return found


def papers(ctx: EpisodeContext, episode: Episode) -> list[Resource]:
    found: list[Resource] = []
    counts: dict[str, int] = {}
    for document in episode.documents:
        table = document.table
        if table in NOT_SENT_BY_HIS or table in STRUCTURED - _PAPERS.keys():
            continue
        if table not in _PAPERS:
            counts[table] = counts.get(table, 0) + 1
            found.append(raw_table(ctx, document, counts[table]))
            continue
        for record in document.records:
            counts[table] = counts.get(table, 0) + 1
            found += _paper(ctx, table, record, counts[table])
    return found
