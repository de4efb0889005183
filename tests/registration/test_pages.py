"""Kiosk activation, the counter and board pages, and who may open them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.helpers import add_facility, staff_client
from yteso.core.audit.models import AuditEvent
from yteso.core.auth.models import ApiClient

HTML = {"Accept": "text/html"}
CODE = "19001"


def test_unknown_facility_gets_a_clear_404_page(client: TestClient, db: Session) -> None:
    response = client.get("/kiosk/19999", headers=HTML)
    assert response.status_code == 404
    assert "Không có cơ sở KCB mã 19999" in response.text


def test_receptionist_activates_the_kiosk_and_is_signed_out_of_it(
    client: TestClient, db: Session
) -> None:
    add_facility(db, CODE)
    page = client.get(f"/kiosk/{CODE}", headers=HTML)
    assert "Đăng nhập để kích hoạt" in page.text
    staff_client(client, db, "receptionist", CODE)
    assert "Kích hoạt ki-ốt" in client.get(f"/kiosk/{CODE}", headers=HTML).text
    response = client.post(f"/kiosk/{CODE}/activate", follow_redirects=False)
    assert response.status_code == 303
    cookies = response.headers.get_list("set-cookie")
    kiosk_cookie = next(c for c in cookies if c.startswith("yteso_kiosk="))
    assert "HttpOnly" in kiosk_cookie and "SameSite=strict" in kiosk_cookie
    assert any(c.startswith('yteso_session=""') for c in cookies)
    assert "Quét mã QR trên thẻ CCCD" in client.get(f"/kiosk/{CODE}", headers=HTML).text
    assert client.get(f"/api/kiosk/{CODE}/departments").status_code == 200
    # The kiosk cookie is no staff session: the counter stays closed to it.
    assert client.get(f"/api/kiosk/{CODE}/counter/queue?department=K01").status_code == 401
    kiosk = db.scalars(select(ApiClient)).one()
    assert (kiosk.kind, kiosk.facility_code) == ("kiosk", CODE)
    assert db.scalars(select(AuditEvent.action).where(AuditEvent.action == "kiosk.activate")).one()


def test_only_the_facility_reception_or_admins_may_activate(
    client: TestClient, db: Session
) -> None:
    add_facility(db, CODE)
    add_facility(db, "19002")
    staff_client(client, db, "clinician", CODE)
    assert "không được kích hoạt" in client.get(f"/kiosk/{CODE}", headers=HTML).text
    assert client.post(f"/kiosk/{CODE}/activate", headers=HTML).status_code == 403
    staff_client(client, db, "receptionist", "19002")
    assert client.post(f"/kiosk/{CODE}/activate", headers=HTML).status_code == 403
    denied = db.scalars(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert [e.action for e in denied] == ["kiosk.activate", "kiosk.activate"]
    staff_client(client, db, "admin")
    assert client.post(f"/kiosk/{CODE}/activate", follow_redirects=False).status_code == 303


def test_counter_page_is_for_the_facility_staff(client: TestClient, db: Session) -> None:
    add_facility(db, CODE)
    away = client.get(f"/kiosk/{CODE}/counter", headers=HTML, follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/login")
    staff_client(client, db, "doh_analyst")
    assert client.get(f"/kiosk/{CODE}/counter", headers=HTML).status_code == 403
    staff_client(client, db, "clinician", CODE)
    page = client.get(f"/kiosk/{CODE}/counter", headers=HTML)
    assert page.status_code == 200 and "Gọi số tiếp theo" in page.text


def test_board_is_public_and_assets_are_served(client: TestClient, db: Session) -> None:
    add_facility(db, CODE)
    board = client.get(f"/kiosk/{CODE}/board", headers=HTML)
    assert board.status_code == 200 and "Mời người bệnh" in board.text
    assert client.get(f"/api/kiosk/{CODE}/board").json() == []
    script = client.get("/kiosk-assets/kiosk.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith(
        "text/javascript"
    )
    assert client.get("/kiosk-assets/styles.css").status_code == 404
