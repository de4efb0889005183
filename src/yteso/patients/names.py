"""Vietnamese personal names: normal form, parts, diacritic-free and spelling-tolerant keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from yteso.core.text import fold, nfc

# The traditional gender-marking middle names: often dropped, or the wrong one written when
# the sex was mistyped, so their presence says little about identity.
MARKER_MIDDLE_NAMES = frozenset({"thi", "van"})

# Share of people bearing each family name (national name surveys: Nguyễn 38.4 %, Trần 11 % …),
# diacritic-free. Agreement on a frequent family name is weak evidence, on a rare one strong.
FAMILY_NAME_SHARE: dict[str, float] = {
    "nguyen": 0.384, "tran": 0.11, "le": 0.095, "pham": 0.07, "hoang": 0.05, "huynh": 0.01,
    "phan": 0.045, "vu": 0.038, "vo": 0.01, "dang": 0.021, "bui": 0.02, "do": 0.014,
    "ho": 0.013, "ngo": 0.013, "duong": 0.01, "ly": 0.005, "dinh": 0.01, "trinh": 0.009,
    "dao": 0.009, "ha": 0.007, "doan": 0.006, "luong": 0.006, "nong": 0.006, "mai": 0.005,
    "trieu": 0.005, "ma": 0.004, "chu": 0.004, "luu": 0.004, "cao": 0.004,
}  # fmt: skip
RARE_FAMILY_NAME_SHARE = 0.002

# Spellings that sound alike (mostly in northern speech) or are spelt either way on papers:
# gi/d/r, ph/f, tr/ch, s/x, ngh/ng, gh/g, k/c, and y/i. Applied to diacritic-free words.
_ONSETS = (("ngh", "ng"), ("gh", "g"), ("gi", "d"), ("ph", "f"), ("tr", "ch"), ("r", "d"),
           ("s", "x"), ("k", "c"))  # fmt: skip
_REPEATS = re.compile(r"(.)\1+")


@dataclass(frozen=True, slots=True)
class PersonName:
    family: str
    middle: str  # "" when none was given
    given: str

    @property
    def full(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)


def _capitalise(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


def normalise_name(text: str) -> str:
    """NFC, single spaces, each word capitalised: "  nguyễn  VĂN an" -> "Nguyễn Văn An"."""
    return " ".join(_capitalise(word) for word in nfc(text).split())


def split_name(text: str) -> PersonName:
    """Family name first, given name last, everything between is the middle name."""
    words = normalise_name(text).split()
    if not words:
        return PersonName("", "", "")
    if len(words) == 1:
        return PersonName("", "", words[0])
    return PersonName(words[0], " ".join(words[1:-1]), words[-1])


@lru_cache(maxsize=65536)
def spelling_key(word: str) -> str:
    """A key shared by the usual spelling variants of one word: "Giang", "Dang" -> "dang"."""
    key = fold(word)
    for variant, common in _ONSETS:
        if key.startswith(variant):
            key = common + key[len(variant) :]
            break
    key = key.replace("ph", "f").replace("y", "i")
    return _REPEATS.sub(r"\1", key)


def distinctive_middle(middle: str) -> tuple[str, ...]:
    """Folded middle-name words without the Thị/Văn markers."""
    return tuple(w for w in fold(middle).split() if w not in MARKER_MIDDLE_NAMES)


def family_name_share(folded_family: str) -> float:
    return FAMILY_NAME_SHARE.get(folded_family, RARE_FAMILY_NAME_SHARE)


def within_one_edit(a: str, b: str) -> bool:
    """One substitution, insertion, deletion or swap of neighbours apart (typing slips)."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        if a[i + 1 :] == b[i + 1 :]:
            return True
        return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :]
