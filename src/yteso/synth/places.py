"""Where synthetic people live and facilities stand: commune weights and local address lines."""

from __future__ import annotations

import random
from functools import cache

from yteso.reference.admin_units import Commune

# Relative population of a commune. Urban wards (phường) are denser than rural communes (xã),
# and former Bắc Kạn is thinly settled (2019: 0.31 million people against Thái Nguyên's 1.29
# million). For Thái Nguyên's 15 wards and 77 communes this puts a fifth of the people in
# former Bắc Kạn and about half of the rest in wards: a simple, rough picture.
URBAN_WEIGHT = 3.0
RURAL_WEIGHT = 1.0
FORMER_BAC_KAN_FACTOR = 0.5
_FORMER_BAC_KAN = 6

# Hamlet names are built from two syllables: Kinh-style names in the midlands, Tày-style
# names ("Nà" = rice field, "Khuổi" = stream, "Pác" = mouth of...) in former Bắc Kạn.
_KINH_FIRST = ("Đồng", "Tân", "Làng", "Bãi", "Cây", "Gốc", "Khe", "Hòa", "Trung", "Phúc")
_KINH_SECOND = ("Tâm", "Lập", "Cả", "Chè", "Đa", "Mới", "Bình", "Thành", "Tiến", "Sơn", "Hợp")
_TAY_FIRST = ("Nà", "Khuổi", "Pác", "Bản", "Cốc", "Khau", "Pò", "Nặm", "Lủng", "Phiêng")
_TAY_SECOND = ("Mao", "Tẩu", "Vèn", "Pồn", "Lạn", "Bó", "Slam", "Đăm", "Chang", "Hin", "Cào")

# Streets found in most northern towns, for addresses of facilities in urban wards.
STREETS = (
    "Quang Trung", "Hoàng Văn Thụ", "Lương Ngọc Quyến", "Cách Mạng Tháng Tám", "Thống Nhất",
    "Minh Cầu", "Bến Oánh", "Phan Đình Phùng", "Lê Lợi", "Trần Hưng Đạo", "Hùng Vương",
    "Nguyễn Trãi",
)  # fmt: skip


def is_urban(commune: Commune) -> bool:
    return commune.kind == "phuong"


def population_weight(commune: Commune) -> float:
    weight = URBAN_WEIGHT if is_urban(commune) else RURAL_WEIGHT
    if commune.former_province_code == _FORMER_BAC_KAN:
        weight *= FORMER_BAC_KAN_FACTOR
    return weight


@cache
def settlements(commune: Commune) -> tuple[str, ...]:
    """Residential groups of a commune: "Tổ dân phố 7", "Xóm Đồng Tâm", "Thôn Nà Mao".

    Seeded by the commune code alone, so people and facilities of any seed share the same
    hamlets.
    """
    rng = random.Random(f"settlements {commune.code}")
    if is_urban(commune):
        return tuple(f"Tổ dân phố {n}" for n in range(1, rng.randint(12, 45) + 1))
    word = "Thôn" if commune.former_province_code == _FORMER_BAC_KAN else "Xóm"
    count = rng.randint(8, 24)
    if rng.random() < 0.25:
        return tuple(f"{word} {n}" for n in range(1, count + 1))
    first, second = (_TAY_FIRST, _TAY_SECOND) if word == "Thôn" else (_KINH_FIRST, _KINH_SECOND)
    names = [f"{a} {b}" for a in first for b in second]
    return tuple(f"{word} {name}" for name in rng.sample(names, count))


def draw_address_line(rng: random.Random, commune_settlements: tuple[str, ...], urban: bool) -> str:
    """Address within a commune: house number and group in towns, the hamlet in villages."""
    place = commune_settlements[int(rng.random() * len(commune_settlements))]
    if urban and rng.random() < 0.6:
        return f"Số {1 + int(rng.random() * 250)}, {place}"
    return place
