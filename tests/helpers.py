"""Arranging test data through the services, as the application does."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from yteso import facilities
from yteso.core.auth import service as auth

PASSWORD = "mat-khau-thu-nghiem"
RULES = facilities.RegistryRules(19, ("19", "06"))


def facility_in(code: str = "19001", **changes: object) -> facilities.FacilityIn:
    data: dict[str, object] = {
        "code": code,
        "name": "Bệnh viện Đa khoa Thử nghiệm",
        "kind": "hospital",
        "owner": "department_of_health",
        "technical_level": "co_ban",
        "commune_code": "05443",
        "address": "Số 1 đường Thử",
        "phone": "0208 3855 123",
        "departments": [
            {"code": "K01", "name": "Khoa Khám bệnh"},
            {"code": "K18", "name": "Khoa Nhi"},
        ],
    }
    data.update(changes)
    return facilities.FacilityIn.model_validate(data)


def add_facility(db: Session, code: str = "19001", **changes: object) -> facilities.FacilityOut:
    created = facilities.create_facility(db, facility_in(code, **changes), RULES)
    db.commit()
    return created


def add_user(db: Session, username: str, role: str, facility_code: str | None = None) -> None:
    auth.create_user(db, username, f"Người dùng {username}", PASSWORD, role, facility_code)
    db.commit()


def login(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, response.text


def staff_client(
    client: TestClient, db: Session, role: str, facility_code: str | None = None
) -> TestClient:
    username = f"{role.replace('_', '')}{facility_code or ''}"
    add_user(db, username, role, facility_code)
    login(client, username)
    return client


def bearer(client: TestClient, db: Session, kind: str, facility_code: str) -> dict[str, str]:
    registered, secret = auth.create_client(db, f"{kind} thử", kind, facility_code)
    db.commit()
    response = client.post(
        "/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": registered.client_id,
            "client_secret": secret,
        },
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps an event loop
    running in the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main).result()
