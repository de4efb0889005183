"""The kiosk's JSON API end to end: identify → (register) → confirm → ticket, and bad input."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.helpers import bearer, staff_client
from tests.registration.kiosk_data import KioskDemo, qr_of, seed_kiosk_demo, unused_cccd
from yteso import patients
from yteso.app import create_app
from yteso.core.audit.models import AuditEvent
from yteso.core.outbox.models import OutboxMessage
from yteso.core.settings import Settings
from yteso.registration.kiosk_flow import UNKNOWN_NUMBERS_LIMIT
from yteso.registration.models import QueueTicket


@pytest.fixture
def demo(db: Session) -> KioskDemo:
    return seed_kiosk_demo(db)


@pytest.fixture
def kiosk(client: TestClient, db: Session, demo: KioskDemo) -> dict[str, str]:
    return bearer(client, db, "kiosk", demo.hospital)


def _post(client: TestClient, demo: KioskDemo, path: str, body: dict[str, Any],
          headers: dict[str, str], status: int = 200) -> dict[str, Any]:  # fmt: skip
    response = client.post(f"/api/kiosk/{demo.hospital}/{path}", json=body, headers=headers)
    assert response.status_code == status, response.text
    return dict(response.json())


def _ticket(client: TestClient, demo: KioskDemo, token: str, headers: dict[str, str],
            request_id: str = "req-00000001", department: str = "K01") -> dict[str, Any]:  # fmt: skip
    body = {"token": token, "department_code": department, "request_id": request_id}
    return _post(client, demo, "tickets", body, headers)


def test_known_patient_by_qr_gets_a_ticket_and_an_open_visit(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    person = demo.valid.person
    confirm = _post(client, demo, "identify", {"qr": qr_of(person)}, kiosk)
    assert confirm["known"] is True
    family = person.full_name.split()[0]
    assert confirm["masked_name"].startswith(family + " ") and "*" in confirm["masked_name"]
    assert person.full_name not in client.get("/").text  # nothing leaks to other pages
    assert confirm["birth_year"] == person.birth_date.year  # type: ignore[union-attr]
    assert confirm["insurance"]["status"] == "valid"
    assert confirm["insurance"]["benefit_level"] in (80, 95, 100)
    assert "person_id" not in str(confirm)

    departments = client.get(f"/api/kiosk/{demo.hospital}/departments", headers=kiosk).json()
    assert departments[0]["code"] == "K01" and departments[0]["waiting"] == 0

    ticket = _ticket(client, demo, confirm["token"], kiosk)
    assert ticket["display_number"] == "K01-001" and ticket["status"] == "waiting"
    assert ticket["qr_svg"].startswith("<svg")
    row = db.scalars(select(QueueTicket)).one()
    assert (
        row.person_id
        == patients.find_by_identifier(  # the same person, not a new one
            db, patients.IdentifierKind.NATIONAL_ID, qr_of(person).split("|")[0]
        ).id
    )  # type: ignore[union-attr]
    his = bearer(client, db, "his", demo.hospital)
    encounter = client.get(f"/fhir/Encounter/{row.encounter_id}", headers=his).json()
    assert encounter["status"] == "arrived"
    assert encounter["subject"]["reference"].startswith("Patient/")
    checkins = db.scalars(select(OutboxMessage)).all()
    assert [m.message_type for m in checkins] == ["checkin_xml0"]
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.resource_type == "Person")))
    assert {"kiosk.identify", "kiosk.confirm", "kiosk.ticket"} <= actions


def test_known_patient_by_typed_bhyt_number(
    client: TestClient, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    confirm = _post(client, demo, "identify", {"bhyt": demo.valid.card_number}, kiosk)
    assert confirm["known"] is True and confirm["identifier_kind"] == "insurance_number"
    assert confirm["insurance"]["status"] == "valid"
    assert confirm["insurance"]["card_number_masked"].endswith(demo.valid.card_number[-4:])
    assert _ticket(client, demo, confirm["token"], kiosk)["number"] == 1


def test_new_patient_registers_once_even_when_submitting_twice(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    template = demo.valid.person
    cccd = unused_cccd(template)
    confirm = _post(client, demo, "identify", {"cccd": cccd}, kiosk)
    assert confirm["known"] is False
    people = patients.count_people(db)
    form = {
        "token": confirm["token"],
        "full_name": "Lò Thị Mẩy",
        "birth_date": f"{template.birth_date.year}-03-04",  # type: ignore[union-attr]
        "sex": template.sex,
        "commune_code": "05443",
        "phone": "0912345678",
    }
    first = _post(client, demo, "register", form, kiosk)
    second = _post(client, demo, "register", form, kiosk)
    assert first["known"] and first["masked_name"] == "Lò T*** M*"
    assert second["masked_name"] == first["masked_name"]
    db.expire_all()
    assert patients.count_people(db) == people + 1
    assert first["insurance"]["status"] in ("not_found", "none")
    assert _ticket(client, demo, first["token"], kiosk)["display_number"] == "K01-001"
    assert db.scalars(select(OutboxMessage)).all() == []  # uninsured: no check-in


def test_registration_form_refuses_a_birth_date_the_cccd_contradicts(
    client: TestClient, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    template = demo.valid.person
    confirm = _post(client, demo, "identify", {"cccd": unused_cccd(template)}, kiosk)
    form = {
        "token": confirm["token"],
        "full_name": "Lò Thị Mẩy",
        "birth_date": f"{template.birth_date.year - 1}-03-04",  # type: ignore[union-attr]
        "sex": template.sex,
        "commune_code": "05443",
        "phone": "0912345678",
    }
    error = _post(client, demo, "register", form, kiosk, 422)["error"]
    assert "không khớp" in error["message"]
    assert error["problems"][0]["field"] == "birth_date"


def test_expired_card_is_said_clearly_and_still_gets_a_ticket(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    confirm = _post(client, demo, "identify", {"bhyt": demo.expired.card_number}, kiosk)
    assert confirm["insurance"]["status"] == "expired"
    assert "hết hạn" in confirm["insurance"]["message_vi"]
    _ticket(client, demo, confirm["token"], kiosk)
    assert db.scalars(select(OutboxMessage)).all() == []


def test_double_submit_returns_the_same_ticket(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    person = demo.valid.person
    token = _post(client, demo, "identify", {"qr": qr_of(person)}, kiosk)["token"]
    first = _ticket(client, demo, token, kiosk)
    assert _ticket(client, demo, token, kiosk)["id"] == first["id"]
    again = _post(client, demo, "identify", {"qr": qr_of(person)}, kiosk)
    assert again["existing_ticket"]["id"] == first["id"]
    assert _ticket(client, demo, again["token"], kiosk, "req-00000002")["id"] == first["id"]
    assert db.scalar(select(func.count()).select_from(QueueTicket)) == 1


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"qr": "0190912345|garbled"}, "Không đọc được mã QR"),
        ({"qr": "019091234567||Nguyễn Văn An|01021985|Nam|Thái Nguyên|01072021"}, "không khớp"),
        ({"cccd": "12345"}, "12 chữ số"),
        ({"bhyt": "XX4191234567890"}, "Mã thẻ BHYT không đúng"),
        ({}, "Vui lòng quét mã QR"),
    ],
)
def test_bad_input_gets_a_clear_vietnamese_message(
    client: TestClient, demo: KioskDemo, kiosk: dict[str, str], body: dict[str, str],
    expected: str,
) -> None:  # fmt: skip
    error = _post(client, demo, "identify", body, kiosk, 422)["error"]
    assert expected in error["message"]


def test_kiosk_api_refuses_other_facilities_and_non_kiosks(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    body = {"cccd": unused_cccd(demo.valid.person)}
    other = client.post(f"/api/kiosk/{demo.other_hospital}/identify", json=body, headers=kiosk)
    assert other.status_code == 403
    assert f"không dùng được cho cơ sở {demo.other_hospital}" in other.json()["error"]["message"]
    his = bearer(client, db, "his", demo.hospital)
    assert _post(client, demo, "identify", body, his, 403)["error"]["message"].startswith(
        "Chỉ ki-ốt"
    )
    assert (
        "chưa được kích hoạt" in _post(client, demo, "identify", body, {}, 401)["error"]["message"]
    )
    missing = client.post("/api/kiosk/19999/identify", json=body, headers=kiosk)
    assert missing.status_code == 404 and "19999" in missing.json()["error"]["message"]
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert len(refusals) == 3


def test_counter_calls_and_the_board_shows_numbers_only(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    person = demo.valid.person
    token = _post(client, demo, "identify", {"qr": qr_of(person)}, kiosk)["token"]
    _ticket(client, demo, token, kiosk)
    staff_client(client, db, "receptionist", demo.hospital)
    base = f"/api/kiosk/{demo.hospital}"
    called = client.post(
        f"{base}/counter/call-next", json={"department_code": "K01", "counter": "Phòng 3"}
    )
    assert called.status_code == 200 and called.json()["name"] == person.full_name
    board = client.get(f"{base}/board").json()
    assert board[0]["display_number"] == "K01-001" and board[0]["counter"] == "Phòng 3"
    assert person.full_name not in str(board)
    queue = client.get(f"{base}/counter/queue", params={"department": "K01"}).json()
    assert queue["called"][0]["name"] != person.full_name  # masked in lists
    ticket_id = called.json()["id"]
    assert (
        client.post(f"{base}/counter/tickets/{ticket_id}/complete").json()["status"] == "completed"
    )
    nobody = client.post(
        f"{base}/counter/call-next", json={"department_code": "K01", "counter": "Phòng 3"}
    )
    assert nobody.status_code == 204
    assert client.get(f"{base}/board").json() == []


def test_portal_down_still_gives_a_ticket_without_check_in(
    settings: Settings, engine: Engine, db: Session, demo: KioskDemo
) -> None:
    unreachable = replace(
        settings,
        insurance_gateway="http",
        insurance_portal_url="http://127.0.0.1:9",
        insurance_timeout_seconds=0.5,
    )
    with TestClient(create_app(unreachable), raise_server_exceptions=False) as client:
        kiosk = bearer(client, db, "kiosk", demo.hospital)
        confirm = _post(client, demo, "identify", {"bhyt": demo.valid.card_number}, kiosk)
        assert confirm["insurance"]["status"] == "unchecked"
        assert "Không kiểm tra được thẻ" in confirm["insurance"]["message_vi"]
        assert _ticket(client, demo, confirm["token"], kiosk)["number"] == 1
    assert db.scalars(select(OutboxMessage)).all() == []


def test_two_kiosks_scanning_the_same_new_person_at_once_make_one_person(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    template = demo.valid.person
    assert template.birth_date is not None
    sex = "Nam" if template.sex == 1 else "Nữ"
    qr = (f"{unused_cccd(template)}||Hà Thị Tưởng|{template.birth_date:%d%m%Y}|{sex}|"
          "Xã Phú Xuyên, Đại Từ, Thái Nguyên|01012022")  # fmt: skip
    people = patients.count_people(db)
    start = threading.Barrier(2)
    answers: list[int] = []

    def scan() -> None:
        start.wait()
        response = client.post(f"/api/kiosk/{demo.hospital}/identify", json={"qr": qr},
                                headers=kiosk)  # fmt: skip
        answers.append(response.status_code)

    scanners = [threading.Thread(target=scan) for _ in range(2)]
    for scanner in scanners:
        scanner.start()
    for scanner in scanners:
        scanner.join()
    assert answers == [200, 200]
    db.expire_all()
    assert patients.count_people(db) == people + 1


def test_a_kiosk_typing_many_unknown_numbers_is_stopped_but_scans_still_work(
    client: TestClient, db: Session, demo: KioskDemo, kiosk: dict[str, str]
) -> None:
    template = demo.valid.person
    base = unused_cccd(template)[:6]
    for n in range(UNKNOWN_NUMBERS_LIMIT):
        assert not _post(client, demo, "identify", {"cccd": f"{base}{n:06d}"}, kiosk)["known"]
    refused = _post(client, demo, "identify", {"cccd": f"{base}999998"}, kiosk, 429)
    assert "quét mã QR" in refused["error"]["message"]
    known_typed = {"bhyt": demo.valid.card_number}
    assert (
        "quầy tiếp đón"
        in _post(client, demo, "identify", known_typed, kiosk, 429)["error"]["message"]
    )
    assert _post(client, demo, "identify", {"qr": qr_of(template)}, kiosk)["known"]
    refusals = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [r.action for r in refusals] == ["kiosk.identify", "kiosk.identify"]
    other_kiosk = bearer(client, db, "kiosk", demo.hospital)
    assert _post(client, demo, "identify", known_typed, other_kiosk)["known"]
