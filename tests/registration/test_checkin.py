"""The XML0 check-in: fields and formats per the annex, parsed back, queued once."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.registration.test_eligibility import HOSPITAL, STATION, VISIT, lookup
from yteso.claims import iter_submission
from yteso.claims.xml_parser import SingleDocument
from yteso.core.outbox import pending
from yteso.core.outbox.models import OutboxMessage
from yteso.reference import claim_specs
from yteso.registration.card_lookup import CardLookup
from yteso.registration.checkin import (
    CHECKIN_DESTINATION,
    CheckIn,
    InvalidCheckIn,
    check_checkin,
    checkin_record,
    checkin_xml,
    enqueue_checkin,
    ma_doituong_kcb,
)
from yteso.registration.eligibility import assess
from yteso.registration.insurance_simulator import card_validity

CHECK_IN = CheckIn(
    ma_lk="19001-20261125-000123",
    ma_bn="BN000123",
    ho_ten="Nguyễn Thị Hoa & Con",  # an ampersand must be escaped in the XML
    birth_date=date(1980, 2, 1),
    sex=2,
    ma_cskcb="19001",
    arrived_at=datetime(2026, 11, 25, 7, 5),
    ma_doituong_kcb="1.1",
    so_cccd="019180001234",
    ma_the_bhyt="GD4191912345678",
    ma_dkbd="19001",
    gt_the_tu=date(2026, 1, 1),
    gt_the_den=date(2026, 12, 31),
)


def test_record_has_every_annex_field_in_order_with_annex_formats() -> None:
    record = checkin_record(CHECK_IN)
    assert tuple(record) == claim_specs.table("XML0").field_names
    assert record["NGAY_SINH"] == "198002010000"
    assert record["NGAY_VAO"] == "202611250705" == record["NGAY_YL"]
    assert (record["GT_THE_TU"], record["GT_THE_DEN"]) == ("20260101", "20261231")
    assert (record["GIOI_TINH"], record["STT"], record["MA_LOAI_KCB"]) == ("2", "1", "01")
    assert record["MA_DICH_VU"] == "02.1896"
    assert record["NGAY_VAO_NOI_TRU"] == "" and record["DU_PHONG"] == ""
    assert check_checkin(CHECK_IN) == []


def test_unknown_birth_day_and_month_are_zeros() -> None:
    assert checkin_record(replace(CHECK_IN, birth_precision="year"))["NGAY_SINH"] == (
        "198000000000"
    )
    assert checkin_record(replace(CHECK_IN, birth_precision="month"))["NGAY_SINH"] == (
        "198002000000"
    )
    assert check_checkin(replace(CHECK_IN, birth_precision="year")) == []


def test_aware_times_are_written_in_vietnam_time() -> None:
    utc = datetime(2026, 11, 25, 0, 5, tzinfo=UTC)
    assert checkin_record(replace(CHECK_IN, arrived_at=utc))["NGAY_VAO"] == "202611250705"


def test_xml_parses_back_with_the_claims_parser() -> None:
    document = checkin_xml(CHECK_IN)
    assert document.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    assert b"<CHI_TIEU_TRANG_THAI_KCB><DSACH_TRANG_THAI_KCB><TRANG_THAI_KCB>" in document
    events = list(iter_submission(io.BytesIO(document)))
    assert len(events) == 1 and isinstance(events[0], SingleDocument)
    assert events[0].findings == []
    parsed = events[0].document
    assert parsed is not None and parsed.table == "XML0"
    assert parsed.records == [checkin_record(CHECK_IN)]
    assert parsed.records[0]["HO_TEN"] == "Nguyễn Thị Hoa & Con"


@pytest.mark.parametrize(
    ("changes", "field", "rule"),
    [
        ({"ma_lk": ""}, "MA_LK", "REQUIRED"),
        ({"ho_ten": ""}, "HO_TEN", "REQUIRED"),
        ({"ma_doituong_kcb": ""}, "MA_DOITUONG_KCB", "REQUIRED"),
        ({"ma_lk": "X" * 101}, "MA_LK", None),
        ({"ma_cskcb": "190011"}, "MA_CSKCB", None),
        ({"ma_the_bhyt": "GD41919123456789"}, "MA_THE_BHYT", None),
        ({"so_cccd": "01918"}, "SO_CCCD", None),
        ({"sex": 7}, "GIOI_TINH", None),
        ({"ma_dich_vu": ""}, "MA_DICH_VU", "REQUIRED"),
    ],
)
def test_breaking_the_annex_is_refused(
    changes: dict[str, object], field: str, rule: str | None
) -> None:
    broken = replace(CHECK_IN, **changes)  # type: ignore[arg-type]
    findings = check_checkin(broken)
    assert any(f.field == field and (rule is None or f.rule == rule) for f in findings), findings
    with pytest.raises(InvalidCheckIn) as raised:
        checkin_xml(broken)
    assert any(f.field == field for f in raised.value.findings)


def test_ma_doituong_kcb_follows_the_rule_that_applied() -> None:
    assert ma_doituong_kcb(assess(lookup(), STATION, VISIT)) == "1.1"
    assert ma_doituong_kcb(assess(lookup(), HOSPITAL, VISIT, emergency=True)) == "1.2"
    assert ma_doituong_kcb(assess(lookup(), HOSPITAL, VISIT, referred=True)) == "1.3"
    assert ma_doituong_kcb(assess(lookup(), HOSPITAL, VISIT)) == "3"


def _count(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_enqueue_writes_one_outbox_message_per_visit(db: Session) -> None:
    enqueue_checkin(db, CHECK_IN)
    enqueue_checkin(db, CHECK_IN)  # a double submit
    db.commit()
    enqueue_checkin(db, replace(CHECK_IN, ho_ten="Nguyễn Thị Hoa"))  # a retry, later
    db.commit()
    messages = pending(db, CHECKIN_DESTINATION)
    assert len(messages) == 1
    message = messages[0]
    assert message.message_type == "checkin_xml0"
    assert message.idempotency_key == "checkin_xml0:19001:19001-20261125-000123"
    assert message.payload["ma_lk"] == CHECK_IN.ma_lk
    assert message.payload["endpoint"] == "/api/qd130/checkInKcbQd3176"
    assert message.payload["xml"].encode() == checkin_xml(CHECK_IN)


def test_rollback_leaves_nothing_and_other_visits_get_their_own(db: Session) -> None:
    enqueue_checkin(db, CHECK_IN)
    db.rollback()
    assert _count(db) == 0
    enqueue_checkin(db, CHECK_IN)
    enqueue_checkin(db, replace(CHECK_IN, ma_lk="19001-20261125-000124"))
    enqueue_checkin(db, replace(CHECK_IN, ma_cskcb="19002"))
    db.commit()
    assert _count(db) == 3


def test_invalid_check_in_writes_nothing(db: Session) -> None:
    with pytest.raises(InvalidCheckIn):
        enqueue_checkin(db, replace(CHECK_IN, ho_ten=""))
    assert _count(db) == 0


def test_check_in_from_a_simulated_card_is_valid() -> None:
    card = "HT3191912345678"
    valid_from, valid_to = card_validity(card, None, VISIT)
    answer = CardLookup(
        "000", "", card, registered_facility="19101", valid_from=valid_from, valid_to=valid_to
    )
    eligibility = assess(answer, HOSPITAL, VISIT)
    check_in = replace(
        CHECK_IN,
        ma_the_bhyt=eligibility.card_number,
        ma_dkbd=eligibility.registered_facility,
        gt_the_tu=eligibility.valid_from,
        gt_the_den=eligibility.valid_to,
        ma_doituong_kcb=ma_doituong_kcb(eligibility),
    )
    assert check_checkin(check_in) == []
