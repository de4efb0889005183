"""The one who asks: a staff user (session cookie) or a facility system/kiosk (bearer token)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    RECEPTIONIST = "receptionist"
    CLINICIAN = "clinician"
    FACILITY_ADMIN = "facility_admin"
    DOH_ANALYST = "doh_analyst"
    ADMIN = "admin"


ROLE_LABELS_VI: dict[Role, str] = {
    Role.RECEPTIONIST: "Tiếp đón",
    Role.CLINICIAN: "Bác sĩ / nhân viên lâm sàng",
    Role.FACILITY_ADMIN: "Quản trị cơ sở",
    Role.DOH_ANALYST: "Chuyên viên Sở Y tế",
    Role.ADMIN: "Quản trị hệ thống",
}

# Roles that work across the whole province rather than inside one facility.
PROVINCE_WIDE_ROLES = frozenset({Role.DOH_ANALYST, Role.ADMIN})


class ClientKind(StrEnum):
    HIS = "his"  # a facility's hospital information system
    KIOSK = "kiosk"


@dataclass(frozen=True)
class Principal:
    kind: str  # "staff" or "client"
    id: str  # username or client_id
    name: str
    role: str  # a Role for staff, a ClientKind for clients
    facility_code: str | None  # None only for province-wide staff

    @property
    def is_province_wide(self) -> bool:
        return self.kind == "staff" and self.role in PROVINCE_WIDE_ROLES

    def may_act_for(self, facility_code: str) -> bool:
        return self.is_province_wide or self.facility_code == facility_code
