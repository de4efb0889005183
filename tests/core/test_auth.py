from __future__ import annotations

import base64
import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.helpers import PASSWORD, add_facility, add_user, bearer, login
from yteso.core.auth import service as auth
from yteso.core.errors import Conflict, Unauthenticated, ValidationFailed


def test_user_is_created_with_an_argon2_hash_never_the_password(db: Session) -> None:
    user = auth.create_user(db, "bacsi.an", "Nguyễn Văn An", PASSWORD, "clinician", "19001")
    assert user.password_hash.startswith("$argon2")
    assert PASSWORD not in user.password_hash
    assert auth.authenticate(db, "bacsi.an", PASSWORD) is user
    assert auth.authenticate(db, "bacsi.an", PASSWORD + "x") is None
    assert auth.authenticate(db, "khong.co", PASSWORD) is None


def test_user_creation_reports_every_problem_by_field(db: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(db, "A", " ", "short", "surgeon", None)
    fields = {p.field for p in caught.value.problems}
    assert fields == {"username", "password", "role", "full_name"}


def test_facility_roles_need_a_facility_and_usernames_are_unique(db: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        auth.create_user(db, "tiepdon", "Lê Thị Hoa", PASSWORD, "receptionist", None)
    assert caught.value.problems[0].field == "facility_code"
    auth.create_user(db, "phantich", "Trần Văn Bình", PASSWORD, "doh_analyst", None)
    with pytest.raises(Conflict):
        auth.create_user(db, "phantich", "Trần Văn Bình", PASSWORD, "doh_analyst", None)


def test_login_sets_an_http_only_session_cookie_and_logout_ends_it(
    client: TestClient, db: Session
) -> None:
    add_user(db, "phantich", "doh_analyst")
    response = client.post(
        "/login",
        data={"username": "phantich", "password": PASSWORD, "next": "/facilities"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/facilities"
    cookie = response.headers["set-cookie"]
    assert "yteso_session=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert client.get("/api/audit").status_code == 200
    client.post("/logout", follow_redirects=False)
    assert client.get("/api/audit").status_code == 401


def test_wrong_password_says_what_to_do_and_never_logs_the_password(
    client: TestClient, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    add_user(db, "phantich", "doh_analyst")
    caplog.set_level(logging.DEBUG)
    response = client.post("/login", data={"username": "phantich", "password": "sai-mat-khau-99"})
    assert response.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.text
    assert "sai-mat-khau-99" not in caplog.text and PASSWORD not in caplog.text


def test_login_redirect_stays_on_this_site(client: TestClient, db: Session) -> None:
    add_user(db, "phantich", "doh_analyst")
    response = client.post(
        "/login",
        data={"username": "phantich", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_client_credentials_token_by_form_and_by_basic_auth(
    client: TestClient, db: Session
) -> None:
    registered, secret = auth.create_client(db, "HIS thử", "his", "19001")
    db.commit()
    form = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client_id,
            "client_secret": secret,
        },
    )
    assert form.status_code == 200
    assert form.json()["token_type"] == "Bearer" and form.json()["expires_in"] == 3600
    basic = base64.b64encode(f"{registered.client_id}:{secret}".encode()).decode()
    by_header = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert by_header.status_code == 200
    principal = auth.principal_from_token(db, by_header.json()["access_token"])
    assert principal is not None and principal.facility_code == "19001" and principal.role == "his"


def test_bad_client_secret_and_bad_grant_are_refused(client: TestClient, db: Session) -> None:
    registered, _secret = auth.create_client(db, "HIS thử", "his", "19001")
    db.commit()
    wrong = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client_id,
            "client_secret": "x",
        },
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "client_id hoặc client_secret không đúng"
    grant = client.post("/oauth/token", data={"grant_type": "password", "client_id": "a"})
    assert grant.status_code == 400 and grant.json()["error"]["code"] == "unsupported_grant_type"
    with pytest.raises(Unauthenticated):
        auth.issue_token(db, "khong-co", "x", 60)


def test_unknown_or_expired_bearer_token_is_401_with_a_clear_message(client: TestClient) -> None:
    response = client.get("/api/persons/1", headers={"Authorization": "Bearer khong-hop-le"})
    assert response.status_code == 401
    assert "bearer token" in response.json()["error"]["message"]
    assert response.headers["www-authenticate"] == "Bearer"


def test_anonymous_api_call_is_401_and_page_call_goes_to_login(client: TestClient) -> None:
    api = client.get("/api/audit")
    assert api.status_code == 401 and "đăng nhập" in api.json()["error"]["message"].lower()
    page = client.get("/api/audit", headers={"accept": "text/html"})
    assert page.status_code == 401  # API paths always answer JSON


def test_facility_admin_cannot_edit_another_facility_and_refusal_is_audited(
    client: TestClient, db: Session
) -> None:
    add_facility(db, "19001")
    add_facility(db, "19002", name="Bệnh viện Khác")
    add_user(db, "quantri", "facility_admin", "19001")
    login(client, "quantri")
    own = client.patch("/api/facilities/19001", json={"emr_status": "deploying"})
    assert own.status_code == 200
    other = client.patch("/api/facilities/19002", json={"emr_status": "deploying"})
    assert other.status_code == 403
    assert (
        "19001" in other.json()["error"]["message"] and "19002" in other.json()["error"]["message"]
    )
    add_user(db, "phantich", "doh_analyst")
    login(client, "phantich")
    events = client.get("/api/audit", params={"resource_type": "Facility"}).json()
    outcomes = {(e["resource_id"], e["outcome"]) for e in events}
    assert ("19002", "denied") in outcomes and ("19001", "success") in outcomes


def test_client_tokens_are_scoped_to_their_facility(client: TestClient, db: Session) -> None:
    headers = bearer(client, db, "his", "19001")
    response = client.get("/api/audit", headers=headers)
    assert response.status_code == 403
