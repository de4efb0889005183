"""Code lists of the facility registry, with the Vietnamese labels people see."""

from __future__ import annotations

from enum import StrEnum


class FacilityKind(StrEnum):
    HOSPITAL = "hospital"
    POLYCLINIC = "polyclinic"
    CLINIC = "clinic"
    COMMUNE_HEALTH_STATION = "commune_health_station"
    HEALTH_CENTRE = "health_centre"
    PREVENTIVE_CENTRE = "preventive_centre"


class Owner(StrEnum):
    DEPARTMENT_OF_HEALTH = "department_of_health"
    MINISTRY = "ministry"
    PRIVATE = "private"


class TechnicalLevel(StrEnum):
    """Levels of the 2023 Law on Medical Examination and Treatment (in force 01/01/2024)."""

    INITIAL = "ban_dau"
    BASIC = "co_ban"
    SPECIALISED = "chuyen_sau"


class EmrStatus(StrEnum):
    """Electronic medical record rollout per Thông tư 13/2025/TT-BYT."""

    NOT_STARTED = "not_started"
    DEPLOYING = "deploying"
    ASSESSED = "assessed"
    APPROVED = "approved"


LABELS_VI: dict[str, str] = {
    FacilityKind.HOSPITAL: "Bệnh viện",
    FacilityKind.POLYCLINIC: "Phòng khám đa khoa",
    FacilityKind.CLINIC: "Phòng khám chuyên khoa",
    FacilityKind.COMMUNE_HEALTH_STATION: "Trạm y tế xã, phường",
    FacilityKind.HEALTH_CENTRE: "Trung tâm y tế",
    FacilityKind.PREVENTIVE_CENTRE: "Trung tâm kiểm soát bệnh tật",
    Owner.DEPARTMENT_OF_HEALTH: "Sở Y tế",
    Owner.MINISTRY: "Bộ, ngành",
    Owner.PRIVATE: "Tư nhân",
    TechnicalLevel.INITIAL: "Cấp ban đầu",
    TechnicalLevel.BASIC: "Cấp cơ bản",
    TechnicalLevel.SPECIALISED: "Cấp chuyên sâu",
    EmrStatus.NOT_STARTED: "Chưa triển khai BAĐT",
    EmrStatus.DEPLOYING: "Đang triển khai BAĐT",
    EmrStatus.ASSESSED: "Đã đánh giá BAĐT",
    EmrStatus.APPROVED: "Đã công nhận BAĐT",
}


def label(value: str) -> str:
    return LABELS_VI.get(value, value)
