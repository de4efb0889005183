"""What the kiosk asks the insurance portal about a card, and what the portal answers.

Shared by the HTTP client (`insurance_http`), the simulator (`insurance_simulator`) and the
card rules (`eligibility`). Field names follow the portal's JSON (maThe, hoTen, ngaySinh …)
in the comments so the mapping stays visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal, Protocol

LookupSource = Literal["portal", "simulator"]

# Result codes (maKetQua) of the portal's card check. The list is the one every HIS client
# we could read handles identically (several independent public clients of
# KQNhanLichSuKCB2019/2024); it is not taken from the official BHXH document, which is not
# public: treat the texts as unverified, the codes 000/010/050/060/061/070 as well attested.
RESULT_MESSAGES_VI: dict[str, str] = {
    "000": "Thông tin thẻ chính xác",
    "001": "Thẻ do BHXH Bộ Quốc phòng quản lý, đề nghị kiểm tra thẻ và giấy tờ tùy thân",
    "002": "Thẻ do BHXH Bộ Công an quản lý, đề nghị kiểm tra thẻ và giấy tờ tùy thân",
    "003": "Thẻ cũ hết giá trị sử dụng nhưng đã được cấp thẻ mới",
    "004": "Thẻ cũ còn giá trị sử dụng nhưng đã được cấp thẻ mới",
    "010": "Thẻ hết giá trị sử dụng",
    "050": "Không thấy thông tin thẻ BHYT",
    "051": "Mã thẻ không đúng",
    "052": "Mã tỉnh cấp thẻ (ký tự thứ 4, 5 của mã thẻ) không đúng",
    "053": "Mã quyền lợi thẻ (ký tự thứ 3 của mã thẻ) không đúng",
    "060": "Thẻ sai họ tên",
    "061": "Thẻ sai họ tên (đúng ký tự đầu)",
    "070": "Thẻ sai ngày sinh",
    "080": "Thẻ sai giới tính",
    "090": "Thẻ sai nơi đăng ký KCB ban đầu",
    "110": "Thẻ đã thu hồi",
    "120": "Thẻ đã báo giảm",
    "121": "Thẻ đã báo giảm. Giảm chuyển ngoại tỉnh",
    "122": "Thẻ đã báo giảm. Giảm chuyển nội tỉnh",
    "123": "Thẻ đã báo giảm. Thu hồi do tăng lại cùng đơn vị",
    "124": "Thẻ đã báo giảm. Ngừng tham gia",
    "130": "Trẻ em không xuất trình thẻ",
}
# Codes that say nothing about the card but that the portal itself failed (or our request
# or account was wrong): the kiosk cannot tell, so they raise PortalUnavailable.
PORTAL_FAILURE_CODES = frozenset({"100", "101", "205", "401", "500"})


@dataclass(frozen=True)
class CardQuery:
    """What the kiosk knows about the person; card_number or cccd must be given."""

    card_number: str | None  # 15-character BHYT number (maThe)
    cccd: str | None  # 12 digits; accepted in maThe instead of the card since 2024
    full_name: str  # hoTen, as on the card / the CCCD
    birth_date: str  # ngaySinh: dd/mm/yyyy, or yyyy when only the year is known

    @property
    def card_or_cccd(self) -> str:
        """The value sent as maThe: the card number when known, else the CCCD."""
        value = self.card_number or self.cccd
        if not value:
            raise ValueError("CardQuery needs a card number or a CCCD")
        return "".join(value.split()).upper()


@dataclass(frozen=True)
class CardLookup:
    """The portal's answer, normalised; fields are None where the portal left them empty."""

    result_code: str  # maKetQua: "000" valid, see RESULT_MESSAGES_VI
    note: str  # ghiChu: the portal's own text (it names the right name on 061, …)
    card_number: str | None = None  # maThe: the card the answer is about
    full_name: str | None = None  # hoTen
    birth_date: str | None = None  # ngaySinh, dd/mm/yyyy or yyyy
    sex: int | None = None  # gioiTinh "Nam"/"Nữ" → 1/2
    address: str | None = None  # diaChi
    registered_facility: str | None = None  # maDKBD: MA_CSKCB of primary registration
    valid_from: date | None = None  # gtTheTu
    valid_to: date | None = None  # gtTheDen
    five_years_from: date | None = None  # ngayDu5Nam: 5 continuous years reached on
    social_insurance_number: str | None = None  # maSoBHXH
    area_code: str | None = None  # maKV: K1/K2/K3 for remote areas
    new_card_number: str | None = None  # maTheMoi (codes 003/004)
    new_valid_from: date | None = None  # gtTheTuMoi
    new_valid_to: date | None = None  # gtTheDenMoi
    new_registered_facility: str | None = None  # maDKBDMoi
    source: LookupSource = "portal"


class PortalUnavailable(Exception):
    """The card could not be checked now (portal down, slow, or answering nonsense).

    The kiosk shows `message_vi` and still issues a ticket; the check is done at the counter.
    """

    message_vi = "Không kiểm tra được thẻ BHYT lúc này, quý khách vẫn lấy số được."
    message_en = "The insurance card cannot be checked right now; you can still take a number."

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class InsuranceGateway(Protocol):
    def look_up_card(self, query: CardQuery) -> CardLookup:
        """The portal's answer for this card; raises PortalUnavailable when it cannot tell."""
        ...
