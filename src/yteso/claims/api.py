"""Claim intake for facility systems, and timeliness rates for the department of health.

POST /api/claims/submissions takes a GIAMDINHHS envelope as the body (bearer token of a HIS
client; the envelope's MACSKCB must be the client's facility) and replies like the insurance
portal (maKetQua, maGiaoDich, thoiGianTiepNhan, thongDiep) plus the findings.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from yteso.claims import service, timeliness
from yteso.claims.findings import has_errors
from yteso.core.audit import record_refusal
from yteso.core.auth.principal import ClientKind, Principal, Role
from yteso.core.errors import Forbidden, ValidationFailed
from yteso.core.web.deps import (
    AppSettings,
    CurrentPrincipal,
    Db,
    client_address,
    ensure_facility_scope,
    get_session_factory,
)
from yteso.records import Caller

router = APIRouter(prefix="/api/claims", tags=["claims"])

RESULT_CODES = {"accepted": "000", "unchanged": "000", "rejected": "001"}
_MESSAGES = {
    "accepted": "Tiếp nhận hồ sơ thành công.",
    "unchanged": "Hồ sơ giống hệt bản đã tiếp nhận; không thay đổi.",
    "rejected": "Hồ sơ bị từ chối: có lỗi, không lưu phần nào (xem findings).",
}


async def _body(request: Request) -> bytes:
    return await request.body()


def _his_client(request: Request, principal: CurrentPrincipal) -> Principal:
    if principal.kind == "client" and principal.role == ClientKind.HIS:
        return principal
    record_refusal(
        get_session_factory(request),
        principal,
        "submit",
        "ClaimSubmission",
        None,
        f"{principal.kind} {principal.role} không phải phần mềm HIS",
        client_address(request),
    )
    raise Forbidden("Chỉ phần mềm HIS của cơ sở KCB (bearer token) được gửi hồ sơ XML")


HisClient = Annotated[Principal, Depends(_his_client, scope="function")]
RawBody = Annotated[bytes, Depends(_body)]


@router.post("/submissions")
def submit(request: Request, db: Db, who: HisClient, raw: RawBody) -> JSONResponse:
    """Receive one submission (envelope or batch of envelopes) from a facility's HIS."""
    facility = service.envelope_facility(raw) or who.facility_code or ""
    ensure_facility_scope(request, who, facility, "submit", "ClaimSubmission")
    sender = Caller(who, None, client_address(request))
    # Another intake, a kiosk or the FHIR API may write one of the file's new persons (or
    # MA_LK) meanwhile.
    result = service.once_more_after_a_race(
        lambda: service.submit(db, raw, facility, sender), db.rollback
    )
    service.audit_submission(db, who, result, client_address(request))
    body: dict[str, Any] = {
        "maKetQua": RESULT_CODES[result.outcome],
        "maGiaoDich": result.transaction_id,
        "thoiGianTiepNhan": result.received_local,
        "thongDiep": _MESSAGES[result.outcome],
        "findings": [f.as_dict() for f in result.findings],
        "episodes": [
            {"maLk": e.ma_lk, "version": e.version, "change": e.change} for e in result.episodes
        ],
    }
    return JSONResponse(body, status_code=422 if has_errors(result.findings) else 200)


def _timeliness_scope(principal: Principal, facility: str | None) -> str | None:
    """DOH analysts and admins see every facility; a facility admin only their own."""
    if principal.kind == "staff" and principal.is_province_wide:
        return facility
    if principal.kind == "staff" and principal.role == Role.FACILITY_ADMIN:
        if facility not in (None, principal.facility_code):
            raise Forbidden(f"Chỉ xem được số liệu của cơ sở {principal.facility_code}")
        return principal.facility_code
    raise Forbidden("Cần vai trò chuyên viên Sở Y tế, quản trị hoặc quản trị cơ sở")


@router.get("/timeliness")
def timeliness_rates(
    db: Db,
    who: CurrentPrincipal,
    settings: AppSettings,
    facility: Annotated[str | None, Query(description="MA_CSKCB; bỏ trống = mọi cơ sở")] = None,
    period: Annotated[str, Query(description="day hoặc month")] = "day",
) -> dict[str, Any]:
    """Per-facility share of episodes received within the threshold after NGAY_RA."""
    if period not in ("day", "month"):
        raise ValidationFailed("period phải là 'day' hoặc 'month'")
    scope = _timeliness_scope(who, facility)
    hours = settings.claim_ontime_hours
    rows = timeliness.rates(db, scope, "day" if period == "day" else "month", hours)
    return {
        "thresholdHours": hours,
        "period": period,
        "rates": [
            {
                "facility": r.facility_code,
                "period": r.period,
                "episodes": r.episodes,
                "onTime": r.on_time,
                "rate": round(r.rate, 4),
            }
            for r in rows
        ],
    }
