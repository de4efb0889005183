"""The insurance gateways: the HTTP client against a fake portal on loopback, the simulator
against seeded demo people, and the choice between them by settings."""

from __future__ import annotations

import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.helpers import RULES
from yteso import facilities, patients
from yteso.core.settings import Settings
from yteso.patients import IdentifierKind, PersonOut
from yteso.registration.card_lookup import CardQuery, PortalUnavailable
from yteso.registration.insurance_http import HttpInsuranceGateway, PortalAccount
from yteso.registration.insurance_portal import (
    SimulatedInsuranceGateway,
    card_validity,
    find_demo_card,
    insurance_gateway,
)
from yteso.synth.seed import seed_facilities, seed_people

QUERY = CardQuery("DN4191912345678", None, "Nguyễn Văn An", "01/02/1980")
CARD_ANSWER = {
    "maKetQua": "000",
    "ghiChu": "Thông tin thẻ chính xác",
    "maThe": "DN4191912345678",
    "hoTen": "Nguyễn Văn An",
    "ngaySinh": "01/02/1980",
    "gioiTinh": "Nam",
    "diaChi": "Phường Phan Đình Phùng, Thái Nguyên",
    "maDKBD": "19101",
    "gtTheTu": "01/01/2026",
    "gtTheDen": "31/12/2026",
    "maKV": "",
    "ngayDu5Nam": "01/01/2024",
    "maSoBHXH": "1912345678",
    "maTheMoi": None,
}


@dataclass
class FakePortal:
    """What the fake portal does; tests change it between calls."""

    token_answer: dict[str, Any] = field(
        default_factory=lambda: {
            "maKetQua": "200",
            "APIKey": {"access_token": "tok-1", "id_token": "id-1", "expires_in": 3600},
        }
    )
    card_answer: bytes = json.dumps(CARD_ANSWER).encode()
    card_status: int = 200
    delay: float = 0.0
    reject_tokens: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    card_requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)


def _handler(portal: FakePortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            time.sleep(portal.delay)
            if url.path == "/api/token/take":
                portal.token_requests.append(dict(urllib.parse.parse_qsl(body.decode())))
                self._reply(200, json.dumps(portal.token_answer).encode())
                return
            params = dict(urllib.parse.parse_qsl(url.query))
            portal.card_requests.append((params, json.loads(body)))
            if params.get("token") in portal.reject_tokens:
                self._reply(401, b'{"maKetQua": "401"}')
                return
            self._reply(portal.card_status, portal.card_answer)

    return Handler


@pytest.fixture
def portal() -> Iterator[tuple[FakePortal, str]]:
    fake = FakePortal()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield fake, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def gateway(base_url: str, timeout: float = 2.0) -> HttpInsuranceGateway:
    account = PortalAccount(base_url, "19001_BV", "secret", "Trần Thị Bình", "019190000001")
    return HttpInsuranceGateway(account, timeout=timeout)


def test_http_lookup_sends_the_portal_shapes_and_reads_the_answer(
    portal: tuple[FakePortal, str],
) -> None:
    fake, url = portal
    result = gateway(url).look_up_card(QUERY)
    assert fake.token_requests == [
        {"username": "19001_BV", "password": "5EBE2294ECD0E0F08EAB7690D2A6EE69"}
    ]
    params, body = fake.card_requests[0]
    assert params == {
        "token": "tok-1",
        "id_token": "id-1",
        "username": "19001_BV",
        "password": "5EBE2294ECD0E0F08EAB7690D2A6EE69",
    }
    assert body == {
        "maThe": "DN4191912345678",
        "hoTen": "Nguyễn Văn An",
        "ngaySinh": "01/02/1980",
        "hoTenCb": "Trần Thị Bình",
        "cccdCb": "019190000001",
    }
    assert result.result_code == "000" and result.source == "portal"
    assert (result.valid_from, result.valid_to) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (result.registered_facility, result.sex) == ("19101", 1)
    assert result.five_years_from == date(2024, 1, 1)
    assert result.new_card_number is None and result.area_code is None


def test_cccd_goes_in_mathe(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    gateway(url).look_up_card(CardQuery(None, "019080001234", "Nguyễn Văn An", "1980"))
    assert fake.card_requests[0][1]["maThe"] == "019080001234"
    assert fake.card_requests[0][1]["ngaySinh"] == "1980"


def test_token_is_reused_until_it_expires(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    client = gateway(url)
    for _ in range(3):
        client.look_up_card(QUERY)
    assert len(fake.token_requests) == 1 and len(fake.card_requests) == 3


def test_expired_token_is_renewed(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    now = [0.0]
    account = PortalAccount(url, "19001_BV", "secret")
    client = HttpInsuranceGateway(account, timeout=2.0, clock=lambda: now[0])
    client.look_up_card(QUERY)
    now[0] = 3600.0  # expires_in 3600 s, renewed a minute early
    client.look_up_card(QUERY)
    assert len(fake.token_requests) == 2


def test_rejected_token_is_taken_again_once(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    client = gateway(url)
    client.look_up_card(QUERY)
    fake.reject_tokens.add("tok-1")
    fake.token_answer = {"maKetQua": "200", "APIKey": {"access_token": "tok-2", "id_token": "i"}}
    assert client.look_up_card(QUERY).result_code == "000"
    assert len(fake.token_requests) == 2
    fake.reject_tokens.add("tok-2")
    with pytest.raises(PortalUnavailable, match="fresh token"):
        client.look_up_card(QUERY)


def test_refused_login_is_unavailable(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    fake.token_answer = {"maKetQua": "401", "APIKey": None}
    with pytest.raises(PortalUnavailable, match="login refused") as raised:
        gateway(url).look_up_card(QUERY)
    assert "vẫn lấy số được" in raised.value.message_vi


def test_timeout_is_unavailable_and_quick(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    fake.delay = 1.0
    started = time.monotonic()
    with pytest.raises(PortalUnavailable):
        gateway(url, timeout=0.2).look_up_card(QUERY)
    assert time.monotonic() - started < 0.9


def test_portal_down_is_unavailable() -> None:
    with pytest.raises(PortalUnavailable, match="unreachable"):
        gateway("http://127.0.0.1:9", timeout=0.5).look_up_card(QUERY)


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (500, b"<html>error</html>", "HTTP 500"),
        (200, b"<html>maintenance</html>", "not JSON"),
        (200, b"[1, 2]", "not a JSON object"),
        (200, b'{"ghiChu": "no code"}', "maKetQua=none"),
        (200, b'{"maKetQua": "101", "ghiChu": "Loi server"}', "maKetQua=101"),
        (200, b'{"maKetQua": "205"}', "maKetQua=205"),
        (200, b"x" * (2 << 20), "too large"),
    ],
)
def test_bad_answers_are_unavailable(
    portal: tuple[FakePortal, str], status: int, body: bytes, reason: str
) -> None:
    fake, url = portal
    fake.card_status, fake.card_answer = status, body
    with pytest.raises(PortalUnavailable, match=reason):
        gateway(url).look_up_card(QUERY)


def test_card_refusals_are_answers_not_errors(portal: tuple[FakePortal, str]) -> None:
    fake, url = portal
    fake.card_answer = json.dumps(
        {"maKetQua": "070", "ghiChu": "Thẻ sai ngày sinh", "gtTheTu": "31/02/2026"}
    ).encode()
    result = gateway(url).look_up_card(QUERY)
    assert (result.result_code, result.note) == ("070", "Thẻ sai ngày sinh")
    assert result.valid_from is None  # an impossible date is treated as absent


def test_settings_choose_the_gateway(settings: Settings, db: Session) -> None:
    assert isinstance(insurance_gateway(settings, db), SimulatedInsuranceGateway)
    http = insurance_gateway(replace(settings, insurance_gateway="http"), db)
    assert isinstance(http, HttpInsuranceGateway)
    assert http is insurance_gateway(replace(settings, insurance_gateway="http"), db)
    with pytest.raises(ValueError, match="simulator"):
        insurance_gateway(replace(settings, insurance_gateway="fax"), db)


def test_card_validity_rule() -> None:
    visit = date(2026, 11, 25)
    child = card_validity("TE1191912345678", date(2021, 3, 10), visit)
    assert child == (date(2021, 3, 10), date(2027, 3, 10))
    start, end = card_validity("DN4191912345678", date(1980, 2, 1), visit)
    assert start.day == 1 and (end - start).days in (364, 365)
    assert card_validity("DN4191912345678", None, visit) == (start, end)
    expired = 0
    for serial in range(2000):
        _, end = card_validity(f"GD419{serial:010d}", None, visit)
        expired += end < visit
    assert 40 <= expired <= 120  # about 4 %


VISIT = date(2026, 11, 25)


@pytest.fixture
def demo(db: Session) -> list[PersonOut]:
    """A small seeded demo province: its facilities and 300 people."""
    seed_facilities(db, 7, RULES)
    list(seed_people(db, 300, 7, 19, date(2026, 1, 1)))
    db.commit()
    people = [patients.get_person(db, i) for i in range(1, 301)]
    return [p for p in people if _card(p)]


def _card(person: PersonOut) -> str | None:
    return next(
        (i.value for i in person.identifiers if i.kind == IdentifierKind.INSURANCE_NUMBER), None
    )


def _cccd(person: PersonOut) -> str:
    return next(i.value for i in person.identifiers if i.kind == IdentifierKind.NATIONAL_ID)


def _query(person: PersonOut, by_cccd: bool = False, **changes: str) -> CardQuery:
    assert person.birth_date is not None
    query = CardQuery(
        None if by_cccd else _card(person),
        _cccd(person) if by_cccd else None,
        person.full_name,
        person.birth_date.strftime("%d/%m/%Y"),
    )
    return replace(query, **changes)


def simulator(db: Session) -> SimulatedInsuranceGateway:
    return SimulatedInsuranceGateway(db, today=lambda: VISIT)


def test_simulator_confirms_a_card_by_number_and_by_cccd(
    db: Session, demo: list[PersonOut]
) -> None:
    person = next(p for p in demo if card_validity(_card(p) or "", p.birth_date, VISIT)[1] >= VISIT)
    for query in (_query(person), _query(person, by_cccd=True)):
        result = simulator(db).look_up_card(query)
        assert result.result_code in ("000", "001", "002")
        assert result.card_number == _card(person) and result.source == "simulator"
        assert result.valid_from is not None and result.valid_from <= VISIT
        assert result.valid_to is not None and result.valid_to >= VISIT
        assert result.full_name == person.full_name


def test_simulator_registers_people_at_their_commune_station(
    db: Session, demo: list[PersonOut]
) -> None:
    person = demo[0]
    result = simulator(db).look_up_card(_query(person))
    station = facilities.get_facility(db, result.registered_facility or "")
    assert station.kind == "commune_health_station"
    assert station.commune_code == person.commune_code
    assert simulator(db).look_up_card(_query(person)) == result  # deterministic


def test_simulator_mismatch_codes(db: Session, demo: list[PersonOut]) -> None:
    person = demo[0]
    assert person.birth_date is not None
    gateway = simulator(db)
    folded_upper = person.full_name.upper()  # case and diacritics do not matter
    assert gateway.look_up_card(_query(person, full_name=folded_upper)).result_code != "060"
    other_first = "Z" + person.full_name[1:]
    assert gateway.look_up_card(_query(person, full_name=other_first)).result_code == "060"
    same_first = person.full_name + " Thị"
    assert gateway.look_up_card(_query(person, full_name=same_first)).result_code == "061"
    wrong_day = (person.birth_date.replace(day=1 if person.birth_date.day != 1 else 2)).strftime(
        "%d/%m/%Y"
    )
    assert gateway.look_up_card(_query(person, birth_date=wrong_day)).result_code == "070"
    year = str(person.birth_date.year)
    assert gateway.look_up_card(_query(person, birth_date=year)).result_code != "070"
    assert gateway.look_up_card(_query(person, birth_date="1800")).result_code == "070"


def test_simulator_unknown_and_malformed_cards(db: Session, demo: list[PersonOut]) -> None:
    gateway = simulator(db)
    unknown = CardQuery("DN4191999999999", None, "Ai Đó", "1990")
    assert gateway.look_up_card(unknown).result_code == "050"
    assert gateway.look_up_card(replace(unknown, card_number="DN41919")).result_code == "051"
    nobody = CardQuery(None, "019090999999", "Ai Đó", "1990")
    assert gateway.look_up_card(nobody).result_code == "050"


def test_find_demo_card_gives_an_expired_card_the_simulator_reports(
    db: Session, demo: list[PersonOut]
) -> None:
    found = find_demo_card(db, VISIT, expired=True)
    assert found is not None and found.valid_to < VISIT
    result = simulator(db).look_up_card(_query(found.person))
    assert result.result_code == "010"
    valid = find_demo_card(db, VISIT, expired=False)
    assert valid is not None and valid.valid_to >= VISIT
