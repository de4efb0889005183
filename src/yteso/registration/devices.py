"""Kiosk devices: activated once by the facility's staff, then known by a long-lived token.

The unattended screen keeps a kiosk API client's bearer token in an HttpOnly cookie, never a
staff session: whoever walks up to it can do what a kiosk does and nothing more.
Takes the session first and never commits.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from yteso.core.auth import ClientKind, Principal, Role
from yteso.core.auth import service as auth
from yteso.core.errors import Forbidden, Unauthenticated
from yteso.facilities import FacilityOut

KIOSK_COOKIE = "yteso_kiosk"
KIOSK_TOKEN_DAYS = 180
# Who may set up a kiosk: the facility's reception and its administrator; the province's
# system administrator too, so a new facility's kiosks can be started before it has staff.
ACTIVATING_ROLES = frozenset({Role.RECEPTIONIST, Role.FACILITY_ADMIN})
COUNTER_ROLES = frozenset({Role.RECEPTIONIST, Role.CLINICIAN})


def may_activate(principal: Principal | None, facility_code: str) -> bool:
    if principal is None or principal.kind != "staff":
        return False
    if principal.role == Role.ADMIN:
        return True
    return principal.role in ACTIVATING_ROLES and principal.facility_code == facility_code


def activate(session: Session, staff: Principal, facility: FacilityOut) -> tuple[str, str]:
    """A new kiosk client for the facility and its token; returns (client id, token)."""
    if not may_activate(staff, facility.code):
        raise Forbidden(
            f"Chỉ nhân viên tiếp đón hoặc quản trị của cơ sở {facility.code} được kích hoạt ki-ốt"
        )
    client, secret = auth.create_client(
        session, f"Ki-ốt {facility.name} (kích hoạt bởi {staff.id})", ClientKind.KIOSK,
        facility.code,
    )  # fmt: skip
    minutes = int(timedelta(days=KIOSK_TOKEN_DAYS).total_seconds() // 60)
    return client.client_id, auth.issue_token(session, client.client_id, secret, minutes)


def kiosk_principal(session: Session, token: str | None, facility_code: str) -> Principal:
    """The kiosk the token belongs to, if it is a kiosk of this facility."""
    if not token:
        raise Unauthenticated(
            f"Ki-ốt chưa được kích hoạt. Nhân viên cơ sở hãy mở /kiosk/{facility_code}, "
            "đăng nhập và bấm 'Kích hoạt ki-ốt'."
        )
    principal = auth.principal_from_token(session, token)
    if principal is None:
        raise Unauthenticated("Mã ki-ốt không hợp lệ hoặc đã hết hạn: cần kích hoạt lại ki-ốt.")
    if principal.kind != "client" or principal.role != ClientKind.KIOSK:
        raise Forbidden("Chỉ ki-ốt đã kích hoạt được dùng chức năng này.")
    if principal.facility_code != facility_code:
        raise Forbidden(
            f"Ki-ốt này thuộc cơ sở {principal.facility_code}, không dùng được "
            f"cho cơ sở {facility_code}."
        )
    return principal


def require_counter_staff(principal: Principal, facility_code: str) -> None:
    if principal.kind != "staff" or principal.role not in COUNTER_ROLES:
        raise Forbidden(
            "Chỉ nhân viên tiếp đón hoặc bác sĩ của cơ sở được gọi số "
            f"(vai trò hiện tại: {principal.role})"
        )
    if principal.facility_code != facility_code:
        raise Forbidden(
            f"Tài khoản thuộc cơ sở {principal.facility_code} không gọi số của cơ sở "
            f"{facility_code}"
        )
