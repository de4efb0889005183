"""Administrative units after the 01/07/2025 reform (34 provinces, 3,321 communes, no districts).

Data comes from the `vietnam-provinces` package. Codes are the GSO codes: provinces as
integers (Thái Nguyên = 19), communes as 5-character strings ("05443"), the form used in
QĐ 130 fields such as MAXA_CU_TRU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province as _Province
from vietnam_provinces import Ward as _Ward

from yteso.core.text import fold

# Pre-2025 provinces (Quyết định 124/2004/QĐ-TTg codes) still appear in CCCD numbers, BHYT
# cards and facility codes issued before the merger; 2-digit code -> name.
FORMER_PROVINCES: dict[int, str] = {
    1: "Hà Nội",
    2: "Hà Giang",
    4: "Cao Bằng",
    6: "Bắc Kạn",
    8: "Tuyên Quang",
    10: "Lào Cai",
    11: "Điện Biên",
    12: "Lai Châu",
    14: "Sơn La",
    15: "Yên Bái",
    17: "Hòa Bình",
    19: "Thái Nguyên",
    20: "Lạng Sơn",
    22: "Quảng Ninh",
    24: "Bắc Giang",
    25: "Phú Thọ",
    26: "Vĩnh Phúc",
    27: "Bắc Ninh",
    30: "Hải Dương",
    31: "Hải Phòng",
    33: "Hưng Yên",
    34: "Thái Bình",
    35: "Hà Nam",
    36: "Nam Định",
    37: "Ninh Bình",
    38: "Thanh Hóa",
    40: "Nghệ An",
    42: "Hà Tĩnh",
    44: "Quảng Bình",
    45: "Quảng Trị",
    46: "Thừa Thiên Huế",
    48: "Đà Nẵng",
    49: "Quảng Nam",
    51: "Quảng Ngãi",
    52: "Bình Định",
    54: "Phú Yên",
    56: "Khánh Hòa",
    58: "Ninh Thuận",
    60: "Bình Thuận",
    62: "Kon Tum",
    64: "Gia Lai",
    66: "Đắk Lắk",
    67: "Đắk Nông",
    68: "Lâm Đồng",
    70: "Bình Phước",
    72: "Tây Ninh",
    74: "Bình Dương",
    75: "Đồng Nai",
    77: "Bà Rịa - Vũng Tàu",
    79: "Hồ Chí Minh",
    80: "Long An",
    82: "Tiền Giang",
    83: "Bến Tre",
    84: "Trà Vinh",
    86: "Vĩnh Long",
    87: "Đồng Tháp",
    89: "An Giang",
    91: "Kiên Giang",
    92: "Cần Thơ",
    93: "Hậu Giang",
    94: "Sóc Trăng",
    95: "Bạc Liêu",
    96: "Cà Mau",
}

# Nghị quyết 202/2025/QH15: each post-2025 province and the former provinces merged into it.
# Hà Nội also lists the provinces it took communes from in 2008 (Hà Tây 28 whole, parts of
# Vĩnh Phúc 26 and Hòa Bình 17), whose codes it still uses.
MERGED_FROM: dict[int, tuple[int, ...]] = {
    1: (1, 17, 26, 28),
    4: (4,),
    8: (2, 8),
    11: (11,),
    12: (12,),
    14: (14,),
    15: (10, 15),
    19: (6, 19),
    20: (20,),
    22: (22,),
    24: (24, 27),
    25: (17, 25, 26),
    31: (30, 31),
    33: (33, 34),
    37: (35, 36, 37),
    38: (38,),
    40: (40,),
    42: (42,),
    44: (44, 45),
    46: (46,),
    48: (48, 49),
    51: (51, 62),
    52: (52, 64),
    56: (56, 58),
    66: (54, 66),
    68: (60, 67, 68),
    75: (70, 75),
    79: (74, 77, 79),
    80: (72, 80),
    82: (82, 87),
    86: (83, 84, 86),
    91: (89, 91),
    92: (92, 93, 94),
    96: (95, 96),
}


@dataclass(frozen=True, slots=True)
class Province:
    code: int
    name: str


@dataclass(frozen=True, slots=True)
class Commune:
    code: str  # 5 characters, zero-padded, as written in QĐ 130 (MAXA_CU_TRU)
    name: str  # with its kind: "Phường Phan Đình Phùng", "Xã Đại Từ"
    province_code: int
    kind: str  # "phuong", "xa" or "dac_khu"
    # Province before 07/2025 (Thái Nguyên 19 or Bắc Kạn 6, ...); None where the codes
    # cannot tell (see _former_provinces).
    former_province_code: int | None


def _former_provinces(wards: list[tuple[int, int]]) -> dict[int, int | None]:
    """Former province of each commune code, from (commune code, new province) pairs.

    GSO allocated commune codes in blocks ordered by province code, and a merged commune keeps
    the code of one of its parts, so along the sorted codes the former province never goes
    down. The smallest and the largest assignment that respect this and the merger list are
    computed; where they agree the former province is certain, elsewhere (two merged
    provinces with neighbouring blocks) it is left unknown rather than guessed.
    """
    ordered = sorted(wards)
    lowest: list[int | None] = []
    current = 0
    for _code, province in ordered:
        choice = min((p for p in MERGED_FROM.get(province, ()) if p >= current), default=None)
        lowest.append(choice)
        current = choice if choice is not None else current
    highest: list[int | None] = []
    current = 1000
    for _code, province in reversed(ordered):
        choice = max((p for p in MERGED_FROM.get(province, ()) if p <= current), default=None)
        highest.append(choice)
        current = choice if choice is not None else current
    highest.reverse()
    return {
        code: low if low == high else None
        for (code, _p), low, high in zip(ordered, lowest, highest, strict=True)
    }


def _kind(ward: _Ward) -> str:
    value = str(ward.division_type.value)
    return {"phường": "phuong", "xã": "xa", "đặc khu": "dac_khu"}.get(value, value)


@cache
def provinces() -> tuple[Province, ...]:
    return tuple(
        sorted((Province(int(p.code), p.name) for p in _Province.iter_all()), key=_code_key)
    )


def _code_key(item: Province | Commune) -> str | int:
    return item.code


@cache
def _communes_by_code() -> dict[str, Commune]:
    wards = list(_Ward.iter_all())
    former = _former_provinces([(int(w.code), int(w.province_code)) for w in wards])
    result: dict[str, Commune] = {}
    for ward in wards:
        code = f"{int(ward.code):05d}"
        result[code] = Commune(
            code=code,
            name=ward.name,
            province_code=int(ward.province_code),
            kind=_kind(ward),
            former_province_code=former[int(ward.code)],
        )
    return result


def get_province(code: int) -> Province | None:
    return next((p for p in provinces() if p.code == code), None)


def get_commune(code: str | int) -> Commune | None:
    try:
        return _communes_by_code().get(f"{int(code):05d}")
    except ValueError:
        return None


@cache
def communes(province_code: int | None = None) -> tuple[Commune, ...]:
    """Communes of one province (all 3,321 when no province is given), by code."""
    chosen = (
        c
        for c in _communes_by_code().values()
        if province_code is None or c.province_code == province_code
    )
    return tuple(sorted(chosen, key=_code_key))


def search_communes(query: str, province_code: int | None = None) -> list[Commune]:
    """Communes whose name contains the query, typed with or without diacritics."""
    key = fold(query)
    return [c for c in communes(province_code) if key in fold(c.name)]
