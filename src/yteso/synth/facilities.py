"""Synthetic health facilities of Thái Nguyên, for the demo, the tests and the benchmarks.

DEMO DATA: the network has the province's shape (public hospitals named by their role in
real communes, one station per commune), but codes, phone numbers, EMR status and
departments are invented; rows made from them must be marked demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from yteso.facilities.vocabulary import EmrStatus, FacilityKind, Owner, TechnicalLevel
from yteso.reference.admin_units import Commune, communes, get_province
from yteso.synth.facility_network import (
    DEPARTMENT_PROFILES,
    EMR_MIX,
    HEALTH_CENTRES,
    MINISTRY_HOSPITALS,
    PREVENTIVE_CENTRE,
    PRIVATE_BRANDS,
    PRIVATE_HOSPITAL_TYPES,
    PRIVATE_POLYCLINIC_COUNT,
    PUBLIC_HOSPITALS,
    Blueprint,
)
from yteso.synth.places import STREETS, is_urban, population_weight, settlements
from yteso.synth.sampling import WeightedChoice

DEMO = True

THAI_NGUYEN = 19
_FORMER_BAC_KAN = 6

# MA_KHOA: department codes ("K" + 2 digits) of the Ministry's common category list that
# QĐ 130 refers to (Phụ lục 5 of QĐ 5937/QĐ-BYT). Written from the commonly used list; the
# exact codes and wording are unverified against the annex.
DEPARTMENT_NAMES: dict[str, str] = {
    "K01": "Khoa Khám bệnh", "K02": "Khoa Hồi sức cấp cứu", "K03": "Khoa Nội tổng hợp",
    "K04": "Khoa Nội tim mạch", "K05": "Khoa Nội tiêu hóa", "K06": "Khoa Nội cơ xương khớp",
    "K07": "Khoa Nội thận - tiết niệu", "K08": "Khoa Nội tiết", "K09": "Khoa Dị ứng",
    "K10": "Khoa Huyết học lâm sàng", "K11": "Khoa Truyền nhiễm", "K12": "Khoa Lao",
    "K13": "Khoa Da liễu", "K14": "Khoa Thần kinh", "K15": "Khoa Tâm thần",
    "K16": "Khoa Y học cổ truyền", "K17": "Khoa Lão học", "K18": "Khoa Nhi",
    "K19": "Khoa Ngoại tổng hợp", "K20": "Khoa Ngoại thần kinh", "K21": "Khoa Ngoại lồng ngực",
    "K22": "Khoa Ngoại tiêu hóa", "K23": "Khoa Ngoại thận - tiết niệu",
    "K24": "Khoa Chấn thương chỉnh hình", "K25": "Khoa Bỏng",
    "K26": "Khoa Phẫu thuật - Gây mê hồi sức", "K27": "Khoa Phụ sản",
    "K28": "Khoa Tai - Mũi - Họng", "K29": "Khoa Răng - Hàm - Mặt", "K30": "Khoa Mắt",
    "K31": "Khoa Vật lý trị liệu - Phục hồi chức năng", "K32": "Khoa Y học hạt nhân",
    "K33": "Khoa Ung bướu", "K34": "Khoa Truyền máu", "K35": "Khoa Lọc máu",
    "K36": "Khoa Huyết học", "K37": "Khoa Hóa sinh", "K38": "Khoa Vi sinh",
    "K39": "Khoa Chẩn đoán hình ảnh", "K40": "Khoa Thăm dò chức năng", "K41": "Khoa Nội soi",
    "K42": "Khoa Giải phẫu bệnh", "K43": "Khoa Kiểm soát nhiễm khuẩn", "K44": "Khoa Dược",
    "K45": "Khoa Dinh dưỡng", "K46": "Khoa Sinh học phân tử", "K47": "Khoa Xét nghiệm",
}  # fmt: skip

# Codes issued before the 2025 merger keep their province prefix (see _prefix); the three
# digits after it start at a different hundred per group so that the kind shows in the code.
_FIRST_NUMBER = {"hospitals": 1, "stations": 101, "polyclinics": 301}
# Landline area codes: Thái Nguyên 208, former Bắc Kạn 209.
_AREA_CODES = {"19": "0208", "06": "0209"}
_EMR_CHOICES = {key: WeightedChoice(mix) for key, mix in EMR_MIX.items()}


@dataclass(frozen=True, slots=True)
class SynthFacility:
    code: str  # MA_CSKCB: province prefix ("19", or "06" in former Bắc Kạn) + 3 digits
    name: str
    kind: FacilityKind
    owner: Owner
    technical_level: TechnicalLevel
    commune_code: str
    address: str  # full postal address, with commune and province
    phone: str  # landline, "0208 3xxx xxx" ("0209" in former Bắc Kạn)
    emr_status: EmrStatus
    iso15189_lab: bool
    telemedicine_hub: bool
    departments: tuple[tuple[str, str], ...]  # (MA_KHOA, name), by code


@dataclass(frozen=True, slots=True)
class _Placed:
    blueprint: Blueprint
    commune: Commune
    group: str  # key of _FIRST_NUMBER


def generate_facilities(seed: int, province_code: int = THAI_NGUYEN) -> list[SynthFacility]:
    """The province's facilities; the same seed gives the same network.

    Listed as the network is organised: provincial hospitals first (Bệnh viện A Thái
    Nguyên leads), then regional health centres, ministry hospitals, the CDC, private
    hospitals and polyclinics, and the commune stations last. Only Thái Nguyên's network is
    described, so other provinces are refused.
    """
    if province_code != THAI_NGUYEN:
        raise ValueError("only Thái Nguyên (19) has a facility network to imitate")
    rng = random.Random(seed)
    by_name = {commune.name: commune for commune in communes(province_code)}
    public = (*PUBLIC_HOSPITALS, *HEALTH_CENTRES, *MINISTRY_HOSPITALS, PREVENTIVE_CENTRE)
    placed = [_Placed(blueprint, by_name[site], "hospitals") for site, blueprint in public]
    placed += _private_facilities(rng, communes(province_code))
    placed += [_Placed(_station(c), c, "stations") for c in communes(province_code)]
    codes = _codes(placed)
    phone_numbers = rng.sample(range(1_000_000), len(placed))
    province_name = _province_name(province_code)
    return [
        _facility(rng, place, code, number, province_name)
        for place, code, number in zip(placed, codes, phone_numbers, strict=True)
    ]


def _private_facilities(
    rng: random.Random, province_communes: tuple[Commune, ...]
) -> list[_Placed]:
    """Private hospitals in urban wards, polyclinics mostly there too."""
    brands = iter(
        rng.sample(PRIVATE_BRANDS, len(PRIVATE_HOSPITAL_TYPES) + PRIVATE_POLYCLINIC_COUNT)
    )
    # Squaring the population weight concentrates private care where people and money are.
    hospital_sites = WeightedChoice(
        (c, population_weight(c) ** 2) for c in province_communes if is_urban(c)
    )
    clinic_sites = WeightedChoice((c, population_weight(c) ** 2) for c in province_communes)
    placed = []
    for prefix, departments in PRIVATE_HOSPITAL_TYPES:
        blueprint = Blueprint(
            f"{prefix} {next(brands)}", FacilityKind.HOSPITAL, Owner.PRIVATE,
            TechnicalLevel.BASIC, departments, "private_hospital",
        )  # fmt: skip
        placed.append(_Placed(blueprint, hospital_sites.draw(rng), "hospitals"))
    for _ in range(PRIVATE_POLYCLINIC_COUNT):
        level = TechnicalLevel.BASIC if rng.random() < 0.3 else TechnicalLevel.INITIAL
        blueprint = Blueprint(
            f"Phòng khám Đa khoa {next(brands)}", FacilityKind.POLYCLINIC, Owner.PRIVATE, level,
            "polyclinic", "polyclinic",
        )  # fmt: skip
        placed.append(_Placed(blueprint, clinic_sites.draw(rng), "polyclinics"))
    return placed


def _station(commune: Commune) -> Blueprint:
    """The commune health station: "Xã Đại Từ" -> "Trạm Y tế xã Đại Từ"."""
    kind_word, _, place = commune.name.partition(" ")
    return Blueprint(
        f"Trạm Y tế {kind_word.lower()} {place}", FacilityKind.COMMUNE_HEALTH_STATION,
        Owner.DEPARTMENT_OF_HEALTH, TechnicalLevel.INITIAL, "station", "station",
    )  # fmt: skip


def _codes(placed: list[_Placed]) -> list[str]:
    """MA_CSKCB for each facility, numbered in order within its prefix and group."""
    next_number: dict[tuple[str, str], int] = {}
    codes = []
    for place in placed:
        prefix = _prefix(place.commune)
        key = (prefix, place.group)
        number = next_number.get(key, _FIRST_NUMBER[place.group])
        if number > 999:
            raise OverflowError(f"more than 999 facility codes with prefix {prefix}")
        next_number[key] = number + 1
        codes.append(f"{prefix}{number:03d}")
    return codes


def _prefix(commune: Commune) -> str:
    return "06" if commune.former_province_code == _FORMER_BAC_KAN else f"{THAI_NGUYEN:02d}"


def _province_name(province_code: int) -> str:
    province = get_province(province_code)
    return province.name if province else str(province_code)


def _facility(
    rng: random.Random, place: _Placed, code: str, phone_number: int, province_name: str
) -> SynthFacility:
    blueprint, commune = place.blueprint, place.commune
    area = _AREA_CODES[code[:2]]
    return SynthFacility(
        code=code,
        name=blueprint.name,
        kind=blueprint.kind,
        owner=blueprint.owner,
        technical_level=blueprint.technical_level,
        commune_code=commune.code,
        address=f"{_street_address(rng, commune)}, {commune.name}, tỉnh {province_name}",
        phone=f"{area} 3{phone_number // 1000:03d} {phone_number % 1000:03d}",
        emr_status=_EMR_CHOICES[blueprint.emr].draw(rng),
        iso15189_lab=blueprint.iso15189_lab,
        telemedicine_hub=blueprint.telemedicine_hub,
        departments=_departments(rng, blueprint.departments),
    )


def _street_address(rng: random.Random, commune: Commune) -> str:
    if is_urban(commune):
        return f"Số {rng.randint(1, 400)}, đường {rng.choice(STREETS)}"
    return rng.choice(settlements(commune))


def _departments(rng: random.Random, profile: str) -> tuple[tuple[str, str], ...]:
    always, optional, fewest, most = DEPARTMENT_PROFILES[profile]
    chosen = [*always, *rng.sample(optional, rng.randint(fewest, most))]
    return tuple((code, DEPARTMENT_NAMES[code]) for code in sorted(chosen))
