"""Card rules for one visit: is the card valid today, what it pays, and is this in-network.

Pure: it reads the portal's answer (`CardLookup`) and the facility, nothing else.

Benefit level (MUC_HUONG) comes from the benefit digit, the 3rd character of the card
(the portal's code 053 names it "ký tự thứ 3"): 1, 2 and 5 pay 100 %, 3 pays 95 %, 4 pays
80 % (Luật BHYT Điều 22 khoản 1; digits per QĐ 1351/QĐ-BHXH). Cases the kiosk cannot know
(co-payment over six months' base salary after five continuous years, visits under 15 % of
the base salary) are settled on the claim, not here.

In-network rules, first match wins, each named in `network_rule`:
  emergency            cấp cứu: any facility, as in-network (Luật BHYT Điều 22).
  registered_facility  the facility is the card's MA_DKBD.
  referral             a referral (giấy chuyển cơ sở) or follow-up appointment paper.
  primary_level        any facility of the primary level (cấp ban đầu) nationwide: 100 %
                       (Luật BHYT sửa đổi 51/2024/QH15, in force 01/07/2025, Điều 22 k.3).
  basic_level          self-referred to a basic-level (cấp cơ bản) facility that was a
                       district-level (tuyến huyện) facility before 01/01/2025: 100 %.
  basic_level_partial  self-referred to a basic-level facility that was provincial before
                       01/01/2025: inpatient 100 %, outpatient 50 % — not in-network for the
                       kiosk's outpatient visit.
  specialised_level    self-referred to the specialised level (cấp chuyên sâu): inpatient
                       40 %, outpatient not paid.
The former-district test is a reading of the registry (unverified): public hospitals of
the department or a ministry were provincial; health centres, polyclinics and private
hospitals are treated as former district level. The TT 01/2025/TT-BYT list of diseases that
may go straight to higher levels needs a diagnosis and is applied on the claim, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from yteso.facilities import FacilityOut
from yteso.patients import InvalidIdentifier, parse_bhyt
from yteso.registration.card_lookup import RESULT_MESSAGES_VI, CardLookup, PortalUnavailable

EligibilityStatus = Literal["valid", "expired", "not_found", "invalid", "unchecked"]
NetworkRule = Literal[
    "emergency",
    "registered_facility",
    "referral",
    "primary_level",
    "basic_level",
    "basic_level_partial",
    "specialised_level",
    "not_covered",
]

BENEFIT_LEVEL_PERCENT: dict[int, int] = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}
# Codes after which the card itself is good; its dates are checked next.
_CARD_GOOD = frozenset({"000", "001", "002", "004"})
_NOT_FOUND = frozenset({"050", "130"})
# The portal asks staff to check the holder's ID for cards of the armed forces' own funds.
_ARMED_FORCES_CODES = frozenset({"001", "002"})
_FORMER_PROVINCIAL_OWNERS = frozenset({"department_of_health", "ministry"})


@dataclass(frozen=True)
class Eligibility:
    status: EligibilityStatus
    result_code: str  # the portal's maKetQua; "" when the card could not be checked
    card_number: str | None
    group: str | None  # beneficiary group, 2 letters (DN, TE, HT …)
    benefit_level: int | None  # MUC_HUONG in percent: 100, 95 or 80
    registered_facility: str | None  # MA_DKBD
    valid_from: date | None  # GT_THE_TU
    valid_to: date | None  # GT_THE_DEN
    in_network: bool  # this outpatient visit is paid as in-network (outpatient_share 100)
    network_rule: NetworkRule
    outpatient_share: int  # percent of the benefit the fund pays for an outpatient visit
    inpatient_share: int  # the same for an admission
    message_vi: str
    message_en: str

    @property
    def insured(self) -> bool:
        return self.status == "valid"


@dataclass(frozen=True)
class _Card:
    number: str | None
    registered_facility: str | None
    valid_from: date | None
    valid_to: date | None


def _current_card(lookup: CardLookup) -> _Card:
    """The card to judge: the new one when the portal says the old was replaced (003)."""
    if lookup.result_code == "003" and lookup.new_card_number:
        return _Card(
            lookup.new_card_number,
            lookup.new_registered_facility or lookup.registered_facility,
            lookup.new_valid_from,
            lookup.new_valid_to,
        )
    return _Card(lookup.card_number, lookup.registered_facility, lookup.valid_from, lookup.valid_to)


def _not_covered(
    status: EligibilityStatus, lookup: CardLookup, card: _Card, vi: str, en: str
) -> Eligibility:
    group, level = _group_and_level(card.number)
    return Eligibility(
        status=status,
        result_code=lookup.result_code,
        card_number=card.number,
        group=group,
        benefit_level=level,
        registered_facility=card.registered_facility,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        in_network=False,
        network_rule="not_covered",
        outpatient_share=0,
        inpatient_share=0,
        message_vi=vi,
        message_en=en,
    )


def _group_and_level(card_number: str | None) -> tuple[str | None, int | None]:
    if not card_number:
        return None, None
    try:
        card = parse_bhyt(card_number)
    except InvalidIdentifier:
        return None, None
    return card.group, BENEFIT_LEVEL_PERCENT[card.benefit_digit]


def _portal_refusal(lookup: CardLookup, card: _Card) -> Eligibility:
    """The portal did not confirm the card: not found, wrong details, revoked, expired."""
    said = RESULT_MESSAGES_VI.get(lookup.result_code, lookup.note or "Thẻ không hợp lệ")
    if lookup.result_code in ("010", "003"):
        return _not_covered(
            "expired",
            lookup,
            card,
            "Thẻ BHYT đã hết hạn sử dụng. Quý khách vẫn lấy số khám (dịch vụ).",
            "The insurance card has expired. You can still take a number (self-paying).",
        )
    if lookup.result_code in _NOT_FOUND:
        return _not_covered(
            "not_found",
            lookup,
            card,
            f"{said}. Vui lòng mang thẻ hoặc CCCD đến quầy tiếp đón.",
            "No insurance card was found. Please show your card or ID at the counter.",
        )
    return _not_covered(
        "invalid",
        lookup,
        card,
        f"{said}. Vui lòng đến quầy tiếp đón để kiểm tra.",
        f"The insurance portal did not confirm the card (code {lookup.result_code}). "
        "Please ask at the counter.",
    )


def _date_refusal(lookup: CardLookup, card: _Card, visit_day: date) -> Eligibility | None:
    if card.valid_from is None or card.valid_to is None:
        return _not_covered(
            "invalid",
            lookup,
            card,
            "Cổng BHXH không trả hạn sử dụng của thẻ. Vui lòng đến quầy tiếp đón.",
            "The portal gave no validity dates for the card. Please ask at the counter.",
        )
    if visit_day < card.valid_from:
        start = card.valid_from.strftime("%d/%m/%Y")
        return _not_covered(
            "invalid",
            lookup,
            card,
            f"Thẻ BHYT chưa đến hạn sử dụng (có giá trị từ {start}).",
            f"The insurance card is not valid yet (valid from {start}).",
        )
    if visit_day > card.valid_to:
        end = card.valid_to.strftime("%d/%m/%Y")
        return _not_covered(
            "expired",
            lookup,
            card,
            f"Thẻ BHYT đã hết hạn ngày {end}. Quý khách vẫn lấy số khám (dịch vụ).",
            f"The insurance card expired on {end}. You can still take a number (self-paying).",
        )
    return None


def _network(
    facility: FacilityOut, registered: str | None, referred: bool, emergency: bool
) -> tuple[NetworkRule, int, int]:
    """(rule, outpatient share, inpatient share) for a valid card at this facility."""
    if emergency:
        return "emergency", 100, 100
    if registered is not None and registered == facility.code:
        return "registered_facility", 100, 100
    if referred:
        return "referral", 100, 100
    if facility.technical_level == "ban_dau":
        return "primary_level", 100, 100
    if facility.technical_level == "co_ban":
        former_provincial = (
            facility.kind == "hospital" and facility.owner in _FORMER_PROVINCIAL_OWNERS
        )
        return ("basic_level_partial", 50, 100) if former_provincial else ("basic_level", 100, 100)
    return "specialised_level", 0, 40


_NETWORK_MESSAGES: dict[NetworkRule, tuple[str, str]] = {
    "emergency": ("Cấp cứu: được hưởng như đúng tuyến.", "Emergency: covered as in-network."),
    "registered_facility": (
        "Đúng nơi đăng ký khám chữa bệnh ban đầu.",
        "This is your registered primary-care facility.",
    ),
    "referral": (
        "Có giấy chuyển cơ sở/giấy hẹn khám lại: được hưởng như đúng tuyến.",
        "With a referral or follow-up paper: covered as in-network.",
    ),
    "primary_level": (
        "Cơ sở cấp ban đầu: được hưởng đủ quyền lợi trên toàn quốc.",
        "Primary-level facility: fully covered anywhere in the country.",
    ),
    "basic_level": (
        "Cơ sở cấp cơ bản (trước đây tuyến huyện): được hưởng đủ quyền lợi.",
        "Basic-level facility (formerly district level): fully covered.",
    ),
    "basic_level_partial": (
        "Tự đến cơ sở cấp cơ bản: khám ngoại trú được thanh toán 50 % mức hưởng.",
        "Self-referred to a basic-level facility: outpatient care is paid at 50 %.",
    ),
    "specialised_level": (
        "Tự đến cơ sở cấp chuyên sâu không có giấy chuyển: khám ngoại trú không được BHYT "
        "thanh toán.",
        "Self-referred to a specialised facility without a referral: outpatient care is not "
        "covered.",
    ),
    "not_covered": ("", ""),
}


def assess(
    lookup: CardLookup,
    facility: FacilityOut,
    visit_day: date,
    referred: bool = False,
    emergency: bool = False,
) -> Eligibility:
    """The card rules for a visit to `facility` on `visit_day` (validity days inclusive)."""
    card = _current_card(lookup)
    if lookup.result_code not in _CARD_GOOD and not (
        lookup.result_code == "003" and lookup.new_card_number
    ):
        return _portal_refusal(lookup, card)
    refused = _date_refusal(lookup, card, visit_day)
    if refused is not None:
        return refused
    group, level = _group_and_level(card.number)
    if group is None or level is None:
        return _not_covered(
            "invalid",
            lookup,
            card,
            "Mã thẻ BHYT trả về không đúng định dạng. Vui lòng đến quầy tiếp đón.",
            "The portal returned a malformed card number. Please ask at the counter.",
        )
    rule, outpatient, inpatient = _network(facility, card.registered_facility, referred, emergency)
    return _covered(lookup, card, (group, level), (rule, outpatient, inpatient))


def _covered(
    lookup: CardLookup,
    card: _Card,
    benefit: tuple[str, int],
    network: tuple[NetworkRule, int, int],
) -> Eligibility:
    (group, level), (rule, outpatient, inpatient) = benefit, network
    network_vi, network_en = _NETWORK_MESSAGES[rule]
    if lookup.result_code in _ARMED_FORCES_CODES:
        network_vi += " Thẻ do BHXH Bộ Quốc phòng/Bộ Công an quản lý: xuất trình giấy tờ tùy thân."
        network_en += " A defence/police insurance card: please show your ID at the counter."
    return Eligibility(
        status="valid",
        result_code=lookup.result_code,
        card_number=card.number,
        group=group,
        benefit_level=level,
        registered_facility=card.registered_facility,
        valid_from=card.valid_from,
        valid_to=card.valid_to,
        in_network=outpatient == 100,
        network_rule=rule,
        outpatient_share=outpatient,
        inpatient_share=inpatient,
        message_vi=f"Thẻ BHYT còn hạn, mức hưởng {level} %. {network_vi}",
        message_en=f"Insurance card valid, benefit level {level} %. {network_en}",
    )


def unchecked(error: PortalUnavailable) -> Eligibility:
    """What the kiosk shows when the portal could not be asked: a ticket is still issued."""
    return Eligibility(
        status="unchecked",
        result_code="",
        card_number=None,
        group=None,
        benefit_level=None,
        registered_facility=None,
        valid_from=None,
        valid_to=None,
        in_network=False,
        network_rule="not_covered",
        outpatient_share=0,
        inpatient_share=0,
        message_vi=error.message_vi,
        message_en=error.message_en,
    )
