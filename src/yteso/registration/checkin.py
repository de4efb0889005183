"""The XML0 check-in record (CHI_TIEU_TRANG_THAI_KCB) of an insured visit, for the portal.

QĐ 130 as amended by QĐ 4750 asks every facility to tell the insurance portal that an
insured patient has arrived (checkInKcbQd3176). The record's fields, order, sizes and
required flags come from the annex spec (`yteso.reference.claim_specs`, table XML0); the
field rules of the claims validator check it before it is queued, so the portal never gets
a check-in we know it will refuse.

The record goes to the outbox in the caller's transaction: a rollback loses nothing, and
the idempotency key (facility + MA_LK) makes a retried request a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Literal

from sqlalchemy.orm import Session

from yteso.claims import ClaimDocument, Finding, has_errors, validate_document, write_document
from yteso.core.outbox import enqueue
from yteso.reference import claim_specs
from yteso.registration.eligibility import Eligibility, NetworkRule

CHECKIN_DESTINATION = "insurance_portal"
CHECKIN_MESSAGE_TYPE = "checkin_xml0"
CHECKIN_ENDPOINT = "/api/qd130/checkInKcbQd3176"  # STANDARDS.md §1
# Vietnam has no daylight saving: the annex's times are local (UTC+7).
VIETNAM_TIME = timezone(timedelta(hours=7))
# The examination service the first cost of an outpatient visit usually is (DMDC code of
# "Khám Nội", as the synthetic episodes use); a kiosk department may name another.
DEFAULT_EXAM_SERVICE = ("02.1896", "Khám Nội")

# MA_DOITUONG_KCB by the eligibility rule that applied. Codes of the Ministry's common code
# list (DMDC) as HIS vendors use them: 1.1 registered primary facility, 1.2 emergency,
# 1.3 referral, 1.7 covered by the nationwide primary/basic-level rule, 3 self-referred
# elsewhere. Unverified against the official list: kept in one place to correct.
MA_DOITUONG_KCB_BY_RULE: dict[NetworkRule, str] = {
    "registered_facility": "1.1",
    "emergency": "1.2",
    "referral": "1.3",
    "primary_level": "1.7",
    "basic_level": "1.7",
    "basic_level_partial": "3",
    "specialised_level": "3",
    "not_covered": "3",
}

BirthPrecision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class CheckIn:
    """What the kiosk knows when it opens an insured visit (XML0 field in the comment)."""

    ma_lk: str  # MA_LK: the episode key, never changed afterwards
    ma_bn: str  # MA_BN: the facility's patient number
    ho_ten: str  # HO_TEN
    birth_date: date  # NGAY_SINH
    sex: int  # GIOI_TINH: 1 male, 2 female, 3 undetermined
    ma_cskcb: str  # MA_CSKCB: this facility
    arrived_at: datetime  # NGAY_VAO; naive = Vietnam local time
    ma_doituong_kcb: str  # MA_DOITUONG_KCB, see ma_doituong_kcb()
    birth_precision: BirthPrecision = "day"
    so_cccd: str | None = None  # SO_CCCD (CCCD, CMND or passport)
    ma_the_bhyt: str | None = None  # MA_THE_BHYT
    ma_dkbd: str | None = None  # MA_DKBD
    gt_the_tu: date | None = None  # GT_THE_TU
    gt_the_den: date | None = None  # GT_THE_DEN
    ma_loai_kcb: str = "01"  # MA_LOAI_KCB: 01 outpatient examination
    ma_dich_vu: str = DEFAULT_EXAM_SERVICE[0]  # MA_DICH_VU: the first service ordered
    ten_dich_vu: str = DEFAULT_EXAM_SERVICE[1]  # TEN_DICH_VU
    ordered_at: datetime | None = None  # NGAY_YL; the arrival time when None
    stt: int = 1  # STT within the submission


class InvalidCheckIn(ValueError):
    """The record breaks the annex's rules; `findings` say which field and why."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("; ".join(f"{f.field}: {f.message_en}" for f in findings))
        self.findings = findings


def ma_doituong_kcb(eligibility: Eligibility) -> str:
    """MA_DOITUONG_KCB for a visit, from the rule that decided its coverage."""
    return MA_DOITUONG_KCB_BY_RULE[eligibility.network_rule]


def _timestamp(moment: datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM_TIME)
    return moment.strftime("%Y%m%d%H%M")


def _birth(day: date, precision: BirthPrecision) -> str:
    """yyyymmddHHMM; the hour and minute of birth are not known at a kiosk (0000)."""
    if precision == "year":
        return f"{day.year:04d}00000000"
    if precision == "month":
        return f"{day.year:04d}{day.month:02d}000000"
    return f"{day:%Y%m%d}0000"


def _day(value: date | None) -> str:
    return f"{value:%Y%m%d}" if value else ""


def _values(check_in: CheckIn) -> dict[str, str]:
    return {
        "MA_LK": check_in.ma_lk,
        "STT": str(check_in.stt),
        "MA_BN": check_in.ma_bn,
        "HO_TEN": check_in.ho_ten,
        "SO_CCCD": check_in.so_cccd or "",
        "NGAY_SINH": _birth(check_in.birth_date, check_in.birth_precision),
        "GIOI_TINH": str(check_in.sex),
        "MA_THE_BHYT": check_in.ma_the_bhyt or "",
        "MA_DKBD": check_in.ma_dkbd or "",
        "GT_THE_TU": _day(check_in.gt_the_tu),
        "GT_THE_DEN": _day(check_in.gt_the_den),
        "MA_DOITUONG_KCB": check_in.ma_doituong_kcb,
        "NGAY_VAO": _timestamp(check_in.arrived_at),
        "MA_LOAI_KCB": check_in.ma_loai_kcb,
        "MA_CSKCB": check_in.ma_cskcb,
        "MA_DICH_VU": check_in.ma_dich_vu,
        "TEN_DICH_VU": check_in.ten_dich_vu,
        "NGAY_YL": _timestamp(check_in.ordered_at or check_in.arrived_at),
    }


def checkin_record(check_in: CheckIn) -> dict[str, str]:
    """The XML0 record: every field of the annex, in its order, empty where not known."""
    values = _values(check_in)
    return {name: values.get(name, "") for name in claim_specs.table("XML0").field_names}


def check_checkin(check_in: CheckIn) -> list[Finding]:
    """The annex's field rules (required and its conditions, size, type, formats) applied
    to the record."""
    record = checkin_record(check_in)
    return validate_document(ClaimDocument("XML0", [record]), ma_lk=check_in.ma_lk)


def checkin_xml(check_in: CheckIn) -> bytes:
    """The inner XML document CHI_TIEU_TRANG_THAI_KCB; raises InvalidCheckIn on errors."""
    findings = check_checkin(check_in)
    if has_errors(findings):
        raise InvalidCheckIn([f for f in findings if f.severity == "error"])
    return write_document(ClaimDocument("XML0", [checkin_record(check_in)]))


def checkin_key(check_in: CheckIn) -> str:
    return f"{CHECKIN_MESSAGE_TYPE}:{check_in.ma_cskcb}:{check_in.ma_lk}"


def enqueue_checkin(session: Session, check_in: CheckIn) -> None:
    """Queue the check-in for the portal in the caller's transaction (once per MA_LK)."""
    document = checkin_xml(check_in)
    enqueue(
        session,
        CHECKIN_DESTINATION,
        CHECKIN_MESSAGE_TYPE,
        {
            "endpoint": CHECKIN_ENDPOINT,
            "ma_cskcb": check_in.ma_cskcb,
            "ma_lk": check_in.ma_lk,
            "loai_ho_so": "XML0",
            "xml": document.decode("utf-8"),
        },
        checkin_key(check_in),
    )
