"""The money of an episode → one Claim: XML1 totals and one item per XML2 and XML3 line (pure).

R4 Claim.item has no adjudication, so the annex's split of each line (THANH_TIEN_BH,
T_BHTT, T_BNCCT, T_BNTT, T_NGUONKHAC …) is kept as Money extensions named after the fields.
"""

from __future__ import annotations

from typing import Any

from yteso.claims.envelope import Episode, Record
from yteso.claims.fhir_patient import INSURER
from yteso.claims.fhir_terms import (
    MEDICATION_CODES,
    SERVICE_CODES,
    TERMINOLOGY,
    EpisodeContext,
    Resource,
    compact,
    concept,
    extension_url,
    facility_ref,
    local_system,
    moment,
    money,
    number,
    ref,
)

_LINE_MONEY = (
    "THANH_TIEN_BH",
    "T_TRANTT",
    "T_NGUONKHAC_NSNN",
    "T_NGUONKHAC_VTNN",
    "T_NGUONKHAC_VTTN",
    "T_NGUONKHAC_CL",
    "T_NGUONKHAC",
    "T_BNTT",
    "T_BNCCT",
    "T_BHTT",
)
_LINE_CODES = ("STT", "MA_NHOM", "PHAM_VI", "TYLE_TT_BH", "MUC_HUONG", "DON_GIA_BH", "TT_THAU")
_TOTALS = ("T_THUOC", "T_VTYT", "T_TONGCHI_BH", "T_BNTT", "T_BNCCT", "T_BHTT")
_MORE_TOTALS = ("T_NGUONKHAC", "T_BHTT_GDV")
_URLS = {f: extension_url(f) for f in (*_LINE_MONEY, *_LINE_CODES, *_TOTALS, *_MORE_TOTALS)}


def _money_extensions(record: Record, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """Amounts other than zero (most funding-source fields are 0: absent reads as 0)."""
    found = []
    for field in fields:
        amount = number(record.get(field))
        if amount:
            found.append({"url": _URLS[field], "valueMoney": {"value": amount, "currency": "VND"}})
    return found


def _line_extensions(record: Record) -> list[dict[str, Any]]:
    codes = [{"url": _URLS[f], "valueString": record[f]} for f in _LINE_CODES if record.get(f)]
    return codes + _money_extensions(record, _LINE_MONEY)


def _item(
    ctx: EpisodeContext, sequence: int, record: Record, product: dict[str, Any], price: str
) -> dict[str, Any]:
    quantity = number(record.get("SO_LUONG"))
    factor = number(record.get("TYLE_TT_DV"))
    return compact(
        {
            "extension": _line_extensions(record),
            "sequence": sequence,
            "category": concept(local_system("MA_NHOM"), record.get("MA_NHOM")),
            "productOrService": product,
            "servicedDate": (moment(record.get("NGAY_YL")) or "")[:10] or None,
            "quantity": compact({"value": quantity, "unit": record.get("DON_VI_TINH")}),
            "unitPrice": money(record.get(price)),
            "factor": None if factor is None else factor / 100,
            "net": money(record.get("THANH_TIEN_BV")),
            "encounter": [ctx.encounter],
        }
    )


def _service_product(record: Record) -> dict[str, Any]:
    if record.get("MA_VAT_TU"):
        return concept(local_system("MA_VAT_TU"), record["MA_VAT_TU"], record.get("TEN_VAT_TU"))
    return concept(SERVICE_CODES, record.get("MA_DICH_VU"), record.get("TEN_DICH_VU"))


def _items(ctx: EpisodeContext, episode: Episode) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for record in episode.records("XML2"):
        product = concept(MEDICATION_CODES, record.get("MA_THUOC"), record.get("TEN_THUOC"))
        items.append(_item(ctx, len(items) + 1, record, product, "DON_GIA"))
    for record in episode.records("XML3"):
        items.append(_item(ctx, len(items) + 1, record, _service_product(record), "DON_GIA_BV"))
    return items


def _insurance(coverage_ids: list[str]) -> list[dict[str, Any]]:
    if not coverage_ids:
        return [
            {
                "sequence": 1,
                "focal": True,
                "coverage": {"display": "Không có thẻ BHYT (tự chi trả)"},
            }
        ]
    return [
        {"sequence": n, "focal": n == 1, "coverage": ref("Coverage", coverage_id)}
        for n, coverage_id in enumerate(coverage_ids, start=1)
    ]


def claim(
    ctx: EpisodeContext, episode: Episode, coverage_ids: list[str], condition_ids: list[str]
) -> Resource:
    summary = ctx.summary
    period = {"start": moment(summary.get("NGAY_VAO")), "end": moment(summary.get("NGAY_RA"))}
    settled = [
        {"url": extension_url(f), "valueString": summary[f]}
        for f in ("NAM_QT", "THANG_QT")
        if summary.get(f)
    ]
    return compact(
        {
            "resourceType": "Claim",
            "id": ctx.id(),
            "meta": ctx.meta("XML1"),
            "extension": _money_extensions(summary, _TOTALS + _MORE_TOTALS) + settled,
            "identifier": ctx.identifier("MA_LK", ctx.ma_lk),
            "status": "active",
            "type": concept(TERMINOLOGY + "claim-type", "institutional"),
            "use": "claim",
            "patient": ctx.patient,
            "billablePeriod": compact(period),
            "created": moment(summary.get("NGAY_TTOAN")) or moment(summary.get("NGAY_RA")),
            "insurer": INSURER,
            "provider": facility_ref(ctx.facility),
            "priority": concept(TERMINOLOGY + "processpriority", "normal"),
            "diagnosis": [
                {"sequence": n, "diagnosisReference": ref("Condition", condition_id)}
                for n, condition_id in enumerate(condition_ids, start=1)
            ],
            "insurance": _insurance(coverage_ids),
            "item": _items(ctx, episode),
            "total": money(summary.get("T_TONGCHI_BV")),
        }
    )
