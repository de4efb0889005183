"""Request-scoped dependencies: the unit of work and who is asking.

`Db` opens one transaction per request and commits it before the response is sent
(scope="function"), so a client never sees success for a change that failed to commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker

from yteso.core.audit import service as audit
from yteso.core.auth import service as auth
from yteso.core.auth.principal import Principal, Role
from yteso.core.db import unit_of_work
from yteso.core.errors import Forbidden, Unauthenticated
from yteso.core.settings import Settings

SESSION_COOKIE = "yteso_session"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_session_factory(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory


def _db(request: Request) -> Iterator[Session]:
    with unit_of_work(get_session_factory(request)) as session:
        yield session


Db = Annotated[Session, Depends(_db, scope="function")]
AppSettings = Annotated[Settings, Depends(get_settings)]


def _optional_principal(request: Request, db: Db) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        principal = auth.principal_from_token(db, header[7:].strip())
        if principal is None:
            raise Unauthenticated("Mã truy cập (bearer token) không hợp lệ hoặc đã hết hạn")
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    return auth.principal_from_session(db, cookie) if cookie else None


MaybePrincipal = Annotated[Principal | None, Depends(_optional_principal, scope="function")]


def _required_principal(principal: MaybePrincipal) -> Principal:
    if principal is None:
        raise Unauthenticated(
            "Cần đăng nhập: gửi 'Authorization: Bearer <token>' (máy khách) "
            "hoặc đăng nhập tại /login (nhân viên)"
        )
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_required_principal, scope="function")]


def require_roles(*roles: Role) -> Callable[[Principal], Principal]:
    """A dependency that lets only staff with one of these roles through."""
    allowed = {str(r) for r in roles}

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.kind != "staff" or principal.role not in allowed:
            raise Forbidden(
                f"Vai trò '{principal.role}' không được làm việc này; cần một trong: "
                + ", ".join(sorted(allowed))
            )
        return principal

    return check


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def ensure_facility_scope(
    request: Request, principal: Principal, facility_code: str, action: str, resource_type: str
) -> None:
    """Refuse (and audit the refusal) when the principal does not act for this facility."""
    if principal.may_act_for(facility_code):
        return
    audit.record_refusal(
        get_session_factory(request),
        principal,
        action,
        resource_type,
        facility_code,
        f"ngoài phạm vi cơ sở {principal.facility_code}",
        client_address(request),
    )
    raise Forbidden(
        f"Tài khoản thuộc cơ sở {principal.facility_code} không được truy cập dữ liệu "
        f"của cơ sở {facility_code}"
    )
