"""The shape of Thái Nguyên's facility network: which facilities exist, where, and what they do.

Public facilities are named by their role and stand in real communes, as the province's
network does; private ones get invented brand names.
"""

from __future__ import annotations

from dataclasses import dataclass

from yteso.facilities.vocabulary import EmrStatus, FacilityKind, Owner, TechnicalLevel

HOSPITAL = FacilityKind.HOSPITAL
HEALTH_CENTRE = FacilityKind.HEALTH_CENTRE
DOH = Owner.DEPARTMENT_OF_HEALTH
SPECIALISED = TechnicalLevel.SPECIALISED
BASIC = TechnicalLevel.BASIC


@dataclass(frozen=True, slots=True)
class Blueprint:
    name: str
    kind: FacilityKind
    owner: Owner
    technical_level: TechnicalLevel
    departments: str  # key of DEPARTMENT_PROFILES
    emr: str  # key of EMR_MIX
    iso15189_lab: bool = False
    telemedicine_hub: bool = False


# A catalogued facility and the name of the commune it stands in.
Sited = tuple[str, Blueprint]


def _hospital(name: str, commune: str, departments: str, owner: Owner = DOH) -> Sited:
    return commune, Blueprint(name, HOSPITAL, owner, BASIC, departments, "hospital")


def _flagship(name: str, commune: str, owner: Owner = DOH) -> Sited:
    """A big general hospital: accredited lab, telemedicine hub, EMR already approved."""
    return commune, Blueprint(
        name, HOSPITAL, owner, SPECIALISED, "general_flagship", "leading", True, True
    )


def _health_centre(area: str, commune: str) -> Sited:
    name = f"Trung tâm Y tế khu vực {area}"
    return commune, Blueprint(name, HEALTH_CENTRE, DOH, BASIC, "health_centre", "health_centre")


# Department of Health: provincial and specialist hospitals, then the regional health
# centres that took over from the district centres in 2025 (named after the old district
# seats, most of which are communes of the same name now).
PUBLIC_HOSPITALS: tuple[Sited, ...] = (
    _flagship("Bệnh viện A Thái Nguyên", "Phường Quyết Thắng"),
    _flagship("Bệnh viện Đa khoa Bắc Kạn", "Phường Đức Xuân"),
    _hospital("Bệnh viện C Thái Nguyên", "Phường Phan Đình Phùng", "general"),
    ("Phường Quyết Thắng", Blueprint(
        "Bệnh viện Sản Nhi Thái Nguyên", HOSPITAL, DOH, SPECIALISED, "obstetrics_paediatrics",
        "leading", iso15189_lab=True,
    )),
    _hospital("Bệnh viện Y học cổ truyền Thái Nguyên", "Phường Phan Đình Phùng", "traditional"),
    _hospital("Bệnh viện Tâm thần Thái Nguyên", "Phường Tích Lương", "psychiatric"),
    _hospital("Bệnh viện Lao và Bệnh phổi Thái Nguyên", "Phường Quan Triều", "lung"),
    _hospital("Bệnh viện Phục hồi chức năng Thái Nguyên", "Phường Gia Sàng", "rehabilitation"),
)  # fmt: skip
HEALTH_CENTRES: tuple[Sited, ...] = (
    _health_centre("Định Hóa", "Xã Định Hóa"),
    _health_centre("Phú Lương", "Xã Phú Lương"),
    _health_centre("Đồng Hỷ", "Xã Đồng Hỷ"),
    _health_centre("Võ Nhai", "Xã Võ Nhai"),
    _health_centre("Đại Từ", "Xã Đại Từ"),
    _health_centre("Phú Bình", "Xã Phú Bình"),
    _health_centre("Phổ Yên", "Phường Phổ Yên"),
    _health_centre("Ba Bể", "Xã Chợ Rã"),
    _health_centre("Chợ Đồn", "Xã Chợ Đồn"),
    _health_centre("Na Rì", "Xã Na Rì"),
    _health_centre("Chợ Mới", "Xã Chợ Mới"),
    _health_centre("Ngân Sơn", "Xã Ngân Sơn"),
)
# Hospitals of a ministry or state sector: the central general hospital, the medical
# university's hospital and the steel company's hospital.
MINISTRY_HOSPITALS: tuple[Sited, ...] = (
    _flagship("Bệnh viện Trung ương Thái Nguyên", "Phường Phan Đình Phùng", Owner.MINISTRY),
    _hospital(
        "Bệnh viện Trường Đại học Y Dược Thái Nguyên", "Phường Quyết Thắng", "general",
        Owner.MINISTRY,
    ),
    _hospital("Bệnh viện Gang Thép Thái Nguyên", "Phường Gia Sàng", "general", Owner.MINISTRY),
)  # fmt: skip
PREVENTIVE_CENTRE: Sited = (
    "Phường Phan Đình Phùng",
    Blueprint(
        "Trung tâm Kiểm soát bệnh tật tỉnh Thái Nguyên", FacilityKind.PREVENTIVE_CENTRE, DOH,
        TechnicalLevel.INITIAL, "preventive", "preventive",
    ),
)  # fmt: skip

# Private hospitals: (name before the brand, department profile).
PRIVATE_HOSPITAL_TYPES: tuple[tuple[str, str], ...] = (
    *(("Bệnh viện Đa khoa", "private_general"),) * 5,
    ("Bệnh viện Mắt", "eye"),
    ("Bệnh viện Sản Nhi", "obstetrics_paediatrics"),
)
PRIVATE_POLYCLINIC_COUNT = 21
# Invented brand names in the style private facilities use; any match with a real
# facility is a coincidence.
PRIVATE_BRANDS: tuple[str, ...] = (
    "An Bình", "An Phúc", "An Khang", "Bảo Châu", "Bình An", "Đông Á", "Đức Minh", "Gia Phúc",
    "Hòa An", "Hoàng Gia", "Hồng Phúc", "Hưng Thịnh", "Khang Thịnh", "Kim Ngân", "Minh Anh",
    "Minh Châu", "Minh Tâm", "Nam Việt", "Phúc Lâm", "Phúc Thịnh", "Phương Đông", "Sông Cầu",
    "Tâm Đức", "Tâm Phúc", "Tân Thành", "Thái Hà", "Thiện Nhân", "Thiên Ân", "Trường An",
    "Vạn Phúc", "Việt Bắc", "Yên Bình",
)  # fmt: skip

# Departments by facility profile: (always present, optional, fewest and most optional).
DEPARTMENT_PROFILES: dict[str, tuple[tuple[str, ...], tuple[str, ...], int, int]] = {
    "general_flagship": (
        ("K01", "K02", "K03", "K04", "K05", "K06", "K07", "K08", "K10", "K11", "K13", "K14",
         "K16", "K17", "K18", "K19", "K20", "K21", "K22", "K23", "K24", "K26", "K27", "K28",
         "K29", "K30", "K31", "K33", "K34", "K35", "K36", "K37", "K38", "K39", "K40", "K41",
         "K42", "K43", "K44", "K45"),
        ("K09", "K12", "K25", "K32", "K46"), 2, 4,
    ),
    "general": (
        ("K01", "K02", "K03", "K04", "K11", "K16", "K18", "K19", "K24", "K26", "K27", "K28",
         "K29", "K30", "K31", "K39", "K40", "K43", "K44", "K47"),
        ("K05", "K06", "K07", "K13", "K14", "K17", "K22", "K35", "K41", "K45"), 3, 6,
    ),
    "health_centre": (
        ("K01", "K02", "K03", "K11", "K16", "K18", "K19", "K26", "K27", "K39", "K44", "K47"),
        ("K28", "K29", "K30", "K31", "K35", "K40", "K41"), 1, 4,
    ),
    "private_general": (
        ("K01", "K02", "K03", "K18", "K19", "K26", "K27", "K39", "K44", "K47"),
        ("K16", "K24", "K28", "K29", "K30", "K31", "K40", "K41"), 1, 4,
    ),
    "obstetrics_paediatrics": (
        ("K01", "K02", "K18", "K26", "K27", "K39", "K43", "K44", "K47"),
        ("K40", "K45", "K46"), 1, 3,
    ),
    "traditional": (("K01", "K03", "K16", "K31", "K39", "K44", "K47"), ("K02", "K06", "K14"), 0, 2),
    "psychiatric": (("K01", "K02", "K14", "K15", "K44", "K47"), ("K39", "K40"), 0, 1),
    "lung": (("K01", "K02", "K03", "K12", "K39", "K41", "K44", "K47"), ("K38", "K40"), 0, 1),
    "rehabilitation": (("K01", "K14", "K16", "K31", "K44", "K47"), ("K06", "K39"), 0, 1),
    "eye": (("K01", "K26", "K30", "K44", "K47"), ("K28", "K39"), 0, 1),
    "polyclinic": (
        ("K01",), ("K03", "K13", "K16", "K18", "K27", "K28", "K29", "K30", "K39", "K47"), 2, 5,
    ),
    "preventive": (("K01", "K11", "K47"), ("K39",), 0, 1),
    "station": (("K01",), ("K16", "K27"), 0, 1),
}  # fmt: skip

# EMR rollout (Thông tư 13/2025/TT-BYT) by late 2025, percent: hospitals had a deadline of
# 30/09/2025, so most are approved or assessed; clinics and stations (deadline end of 2026)
# mostly have not started or are deploying. The shares are a plausible mix, not a survey.
_A, _S, _D, _N = EmrStatus.APPROVED, EmrStatus.ASSESSED, EmrStatus.DEPLOYING, EmrStatus.NOT_STARTED
EMR_MIX: dict[str, tuple[tuple[EmrStatus, float], ...]] = {
    "leading": ((_A, 100.0),),
    "hospital": ((_A, 50.0), (_S, 35.0), (_D, 15.0)),
    "health_centre": ((_A, 30.0), (_S, 40.0), (_D, 30.0)),
    "private_hospital": ((_A, 30.0), (_S, 30.0), (_D, 40.0)),
    "polyclinic": ((_N, 40.0), (_D, 45.0), (_S, 10.0), (_A, 5.0)),
    "preventive": ((_D, 60.0), (_N, 40.0)),
    "station": ((_N, 60.0), (_D, 35.0), (_S, 5.0)),
}
