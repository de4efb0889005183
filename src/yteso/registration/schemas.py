"""API shapes of the kiosk, the counter and the board."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from yteso.core.text import NO_CONTROL_CHARACTERS

Priority = Literal["none", "child", "elderly", "pregnant", "disability"]
ClaimedPriority = Literal["pregnant", "disability"]

PRIORITY_LABELS_VI: dict[str, str] = {
    "none": "Không ưu tiên",
    "child": "Trẻ em dưới 6 tuổi",
    "elderly": "Người từ 75 tuổi",
    "pregnant": "Phụ nữ có thai",
    "disability": "Người khuyết tật nặng",
}
STATUS_LABELS_VI: dict[str, str] = {
    "waiting": "Đang chờ",
    "called": "Đã gọi",
    "skipped": "Vắng mặt",
    "transferred": "Đã chuyển khoa",
    "completed": "Hoàn tất",
}


class DepartmentQueueOut(BaseModel):
    code: str
    name: str
    waiting: int
    service_minutes: float = Field(description="Typical call-to-complete time used")
    measured: bool = Field(description="True when measured today, False for the default")
    estimated_wait_minutes: int


class TicketOut(BaseModel):
    """A ticket as printed and as the board and the counter see it (no personal data)."""

    id: int
    facility_code: str
    department_code: str
    department_name: str
    service_day: date
    number: int
    display_number: str
    priority: Priority
    priority_label: str
    status: str
    status_label: str
    room: str
    counter: str | None
    issued_at: datetime
    called_at: datetime | None
    people_ahead: int
    estimated_wait_minutes: int
    estimated_time: str = Field(description="HH:MM in Vietnam time")
    qr_svg: str | None = None


class CounterTicketOut(TicketOut):
    """A ticket at the counter: the full name for the ticket just called (audited), the
    masked name in queue lists."""

    name: str
    birth_year: int | None
    insured: bool


class QueueViewOut(BaseModel):
    department: DepartmentQueueOut
    called: list[CounterTicketOut]
    waiting: list[CounterTicketOut]


class BoardEntryOut(BaseModel):
    display_number: str
    department_code: str
    department_name: str
    counter: str | None
    called_at: datetime
    call_count: int


class InsuranceOut(BaseModel):
    """The eligibility result as the kiosk shows it."""

    status: str  # valid, expired, not_found, invalid, unavailable, none
    message_vi: str
    message_en: str = ""
    card_number_masked: str | None = None
    group: str | None = None
    benefit_level: int | None = None
    registered_facility: str | None = None
    valid_to: date | None = None
    in_network: bool | None = None


class IdentifyIn(BaseModel):
    """Exactly one of: the CCCD QR string, a typed CCCD, a typed BHYT card number."""

    qr: str | None = Field(default=None, max_length=400)
    cccd: str | None = Field(default=None, max_length=20)
    bhyt: str | None = Field(default=None, max_length=20)


class ConfirmOut(BaseModel):
    """What the confirm screen shows; `token` stands for the person from here on."""

    token: str
    known: bool
    masked_name: str | None = None
    birth_year: int | None = None
    sex_label: str | None = None
    insurance: InsuranceOut | None = None
    priority: Priority = "none"
    priority_label: str = PRIORITY_LABELS_VI["none"]
    identifier_kind: str | None = None
    warnings: list[str] = Field(default_factory=list)
    existing_ticket: TicketOut | None = None


class RegisterIn(BaseModel):
    token: str = Field(min_length=10, max_length=100)
    full_name: str = Field(min_length=1, max_length=120, pattern=NO_CONTROL_CHARACTERS)
    birth_date: date
    sex: int = Field(ge=1, le=2)
    commune_code: str = Field(pattern=r"^[0-9]{5}$")
    phone: str = Field(pattern=r"^0[0-9]{9,10}$")


class TicketIn(BaseModel):
    token: str = Field(min_length=10, max_length=100)
    department_code: str = Field(min_length=1, max_length=20)
    claimed_priority: ClaimedPriority | None = None
    request_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")


class CallNextIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=20)
    counter: str = Field(min_length=1, max_length=60)


class TransferIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=20)
