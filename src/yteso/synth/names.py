"""Vietnamese personal names for synthetic people: family, middle and given name."""

from __future__ import annotations

import random
from bisect import bisect
from functools import cache
from importlib.resources import files

from yteso.core.text import nfc
from yteso.synth.sampling import WeightedChoice

MALE = 1  # QĐ 130 GIOI_TINH codes
FEMALE = 2

# Percent of people bearing each family name. The common names carry the national shares
# usually cited from the name surveys (Nguyễn 38.4, Trần 11, Lê 9.5, Phạm 7, Hoàng/Huỳnh 5.1,
# Phan 4.5, Vũ/Võ 3.9, Đặng 2.1, Bùi 2, Đỗ 1.4, Hồ 1.3, Ngô 1.3, Dương 1, Lý 0.5). Thái Nguyên
# is northern, where the Hoàng and Vũ spellings take almost all of the Hoàng/Huỳnh and Vũ/Võ
# shares. The remaining ~11 % goes to names of the northern midlands and of Tày, Nùng and Dao
# families (Nông, Ma, Triệu, Lục, Hứa...): those tail shares are estimates, not survey data.
FAMILY_NAME_SHARES: tuple[tuple[str, float], ...] = (
    ("Nguyễn", 38.4), ("Trần", 11.0), ("Lê", 9.5), ("Phạm", 7.0), ("Hoàng", 5.0),
    ("Huỳnh", 0.1), ("Phan", 4.5), ("Vũ", 3.8), ("Võ", 0.1), ("Đặng", 2.1), ("Bùi", 2.0),
    ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1.0), ("Lý", 0.5),
    ("Đinh", 1.0), ("Trịnh", 0.9), ("Đào", 0.9), ("Hà", 0.7), ("Đoàn", 0.6), ("Lương", 0.6),
    ("Nông", 0.6), ("Mai", 0.5), ("Triệu", 0.5), ("Ma", 0.4), ("Chu", 0.4), ("Lưu", 0.4),
    ("Cao", 0.4), ("Lục", 0.3), ("Hứa", 0.3), ("Đàm", 0.3), ("Tạ", 0.3), ("Bế", 0.3),
    ("Phùng", 0.3), ("Mông", 0.2), ("La", 0.2), ("Quách", 0.2), ("Tô", 0.2), ("Lâm", 0.2),
    ("Thân", 0.2), ("Vi", 0.1), ("Khổng", 0.1), ("Kiều", 0.1), ("Nghiêm", 0.1), ("Lã", 0.1),
)  # fmt: skip

TRADITIONAL_MIDDLE = {MALE: "Văn", FEMALE: "Thị"}

# Share of people given the traditional "Văn"/"Thị" middle name, by first birth year of the
# cohort. The custom fades in younger cohorts; the shares are estimates chosen so that both
# styles stay common, not survey figures.
_TRADITIONAL_SHARE_SINCE: tuple[tuple[int, float], ...] = (
    (0, 0.80), (1960, 0.65), (1980, 0.45), (1995, 0.25), (2010, 0.12),
)  # fmt: skip
_COHORT_STARTS = [year for year, _ in _TRADITIONAL_SHARE_SINCE]

# Some people have no middle name at all ("Nguyễn Hà").
NO_MIDDLE_SHARE = 0.02

# The name lists write the capital Đ as Ð (U+00D0, Icelandic eth), which looks the same but
# is another letter: it would never fold to "d" in search, so it is replaced when read.
_ETH_TO_DYET = str.maketrans({"\u00d0": "\u0110", "\u00f0": "\u0111"})

_FAMILY_NAMES = WeightedChoice((nfc(name), share) for name, share in FAMILY_NAME_SHARES)


@cache
def middle_and_given_names(sex: int) -> tuple[tuple[str, str], ...]:
    """(middle, given) pairs from the packaged list for one sex: "Ngọc Anh" -> ("Ngọc", "Anh")."""
    list_name = {MALE: "given-names-male.txt", FEMALE: "given-names-female.txt"}[sex]
    text = files("yteso.synth").joinpath("data", list_name).read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        words = nfc(line.translate(_ETH_TO_DYET)).split()
        if words:
            pairs.append((" ".join(words[:-1]), words[-1]))
    return tuple(pairs)


def draw_family_name(rng: random.Random) -> str:
    return _FAMILY_NAMES.draw(rng)


def draw_middle_and_given(rng: random.Random, sex: int, birth_year: int) -> tuple[str, str]:
    """A gendered (middle, given) pair in the style of the person's birth cohort."""
    pairs = middle_and_given_names(sex)
    middle, given = pairs[int(rng.random() * len(pairs))]
    style = rng.random()
    traditional_share = _TRADITIONAL_SHARE_SINCE[bisect(_COHORT_STARTS, birth_year) - 1][1]
    if style < NO_MIDDLE_SHARE:
        return "", given
    if style < NO_MIDDLE_SHARE + traditional_share:
        return TRADITIONAL_MIDDLE[sex], given
    return middle, given
