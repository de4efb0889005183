"""Auth use cases. Takes the session first and never commits."""

from __future__ import annotations

import re
import secrets
import time
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from yteso.core.auth.models import AccessToken, ApiClient, StaffSession, StaffUser
from yteso.core.auth.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from yteso.core.auth.principal import PROVINCE_WIDE_ROLES, ClientKind, Principal, Role
from yteso.core.db import utcnow
from yteso.core.errors import Conflict, ProblemCollector, Unauthenticated

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
_FACILITY_CODE = re.compile(r"^\d{5}$", re.ASCII)


def create_user(
    session: Session,
    username: str,
    full_name: str,
    password: str,
    role: str,
    facility_code: str | None = None,
) -> StaffUser:
    problems = ProblemCollector()
    if not _USERNAME.match(username):
        problems.add("username", "3–64 ký tự: chữ thường không dấu, số, dấu . _ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.add("password", f"mật khẩu cần ít nhất {MIN_PASSWORD_LENGTH} ký tự")
    if role not in set(Role):
        problems.add("role", f"vai trò không hợp lệ; chọn một trong: {', '.join(Role)}")
    elif Role(role) not in PROVINCE_WIDE_ROLES and not facility_code:
        problems.add("facility_code", "vai trò này làm việc tại một cơ sở: cần mã cơ sở (MA_CSKCB)")
    if facility_code and not _FACILITY_CODE.match(facility_code):
        problems.add("facility_code", "mã cơ sở KCB gồm 5 chữ số", value=facility_code)
    if not full_name.strip():
        problems.add("full_name", "cần họ tên")
    problems.raise_if_any("Không tạo được người dùng")
    if session.scalars(select(StaffUser).where(StaffUser.username == username)).first():
        raise Conflict(f"Tên đăng nhập {username!r} đã có người dùng")
    user = StaffUser(
        username=username,
        full_name=full_name.strip(),
        password_hash=hash_password(password),
        role=role,
        facility_code=facility_code,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> StaffUser | None:
    user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    valid = verify_password(user.password_hash if user else None, password)
    return user if user is not None and valid and user.active else None


def start_session(session: Session, user: StaffUser, hours: int) -> str:
    token = new_token()
    session.add(
        StaffSession(
            token_hash=token_digest(token),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_digest(token)))


def principal_from_session(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(StaffSession.token_hash == token_digest(token), StaffSession.expires_at > utcnow())
    ).scalar_one_or_none()
    if row is None or not row.active:
        return None
    return Principal("staff", row.username, row.full_name, row.role, row.facility_code)


def create_client(
    session: Session, name: str, kind: str, facility_code: str
) -> tuple[ApiClient, str]:
    """Register a facility system or kiosk; returns the client and its secret (shown once)."""
    problems = ProblemCollector()
    if kind not in set(ClientKind):
        problems.add("kind", f"loại máy khách không hợp lệ; chọn: {', '.join(ClientKind)}")
    if not _FACILITY_CODE.match(facility_code):
        problems.add("facility_code", "mã cơ sở KCB gồm 5 chữ số", value=facility_code)
    if not name.strip():
        problems.add("name", "cần tên máy khách")
    problems.raise_if_any("Không tạo được máy khách API")
    secret = new_token()
    client = ApiClient(
        client_id=f"{kind}-{facility_code}-{secrets.token_hex(4)}",
        name=name.strip(),
        secret_hash=hash_password(secret),
        kind=kind,
        facility_code=facility_code,
    )
    session.add(client)
    session.flush()
    return client, secret


def issue_token(session: Session, client_id: str, secret: str, minutes: int) -> str:
    """OAuth2 client-credentials grant: a bearer token scoped to the client's facility."""
    client = session.get(ApiClient, client_id)
    if not verify_password(client.secret_hash if client else None, secret):
        raise Unauthenticated("client_id hoặc client_secret không đúng")
    assert client is not None
    if not client.active:
        raise Unauthenticated(f"Máy khách {client_id} đã bị khóa")
    token = new_token()
    session.add(
        AccessToken(
            token_hash=token_digest(token),
            client_id=client.client_id,
            expires_at=utcnow() + timedelta(minutes=minutes),
        )
    )
    session.flush()
    return token


# Bearer tokens are checked on every API call. Each process keeps what it looked up for
# TOKEN_CACHE_SECONDS (never past the token's own expiry), keyed by the token's digest: a
# token deleted or a client deactivated is refused by every process within that time.
TOKEN_CACHE_SECONDS = 5.0
_TOKEN_CACHE_LIMIT = 10_000
_token_cache: dict[str, tuple[float, Principal]] = {}


def cached_principal(token: str) -> Principal | None:
    """The principal of a token looked up less than TOKEN_CACHE_SECONDS ago (no query)."""
    hit = _token_cache.get(token_digest(token))
    return hit[1] if hit is not None and hit[0] > time.monotonic() else None


def principal_from_token(session: Session, token: str) -> Principal | None:
    digest = token_digest(token)
    hit = _token_cache.get(digest)
    if hit is not None and hit[0] > time.monotonic():
        return hit[1]
    row = session.execute(
        select(
            ApiClient.client_id,
            ApiClient.name,
            ApiClient.kind,
            ApiClient.facility_code,
            ApiClient.active,
            AccessToken.expires_at,
        )
        .join(AccessToken, AccessToken.client_id == ApiClient.client_id)
        .where(AccessToken.token_hash == digest, AccessToken.expires_at > utcnow())
    ).first()
    if row is None or not row.active:
        _token_cache.pop(digest, None)
        return None
    principal = Principal("client", row.client_id, row.name, row.kind, row.facility_code)
    remaining = (row.expires_at - utcnow()).total_seconds()
    if len(_token_cache) >= _TOKEN_CACHE_LIMIT:
        _token_cache.clear()  # tokens of a few minutes: refilled by the next calls
    _token_cache[digest] = (time.monotonic() + min(TOKEN_CACHE_SECONDS, remaining), principal)
    return principal
