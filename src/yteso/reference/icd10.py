"""ICD-10 of QĐ 4469/QĐ-BYT (2020): lookup, search without diacritics, and claim rule checks.

The main list has 12,219 rows; 82 category codes appear twice (a plain header row and a row
marked † or *), so there are 12,137 distinct codes: 2,050 of 3 characters, 9,410 of 4 and
677 of 5 (site digits in chapter XIII, fracture digits in chapter XIX); 10,489 have no
subcodes. Dengue follows the 2019 WHO update: A97, A97.0, A97.1, A97.2, A97.9; no A91.

Codes are shown dotted ("A97.0", as the annex writes them); `code_nodot` is the form of the
rule sheets ("A970"). Every function accepts either, any case, with spaces or a †/* mark.

Rule sheets, mapped onto the main list by scripts/build_reference.py (a category whose
subcodes all carry a rule carries it too, so O80 is female-only like O80.0 … O80.9):

- A2: codes not used as principal diagnosis (1,107 codes, mostly asterisk codes).
- A1: dagger/asterisk pairs. Its principal column always names the asterisk code, every one
  of which is also in A2: an asterisk code is a valid principal only next to its dagger.
- A3.1–A3.10: age limits, in days (years at 365.25 days, rounded in the patient's favour).
- A4.1 / A4.2: female-only (876) / male-only (118) codes.
- E / E1: DRG major diagnostic category of each code. E is not a list of valid principal
  codes: 866 codes without subcodes are in neither E nor A2, A97.0–A97.9 among them.

Loading is lazy: nothing is read until the first call, then kept for the process.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from yteso.core.text import fold

Sex = Literal["female", "male"]
Mark = Literal["dagger", "asterisk"]
RuleCode = Literal[
    "ICD_UNKNOWN", "ICD_NOT_PRINCIPAL", "ICD_SEX_FEMALE_ONLY", "ICD_SEX_MALE_ONLY", "ICD_AGE_RANGE"
]

# QĐ 130 GIOI_TINH codes; 3 (undetermined) and unknown values never break a sex rule.
GIOI_TINH_MALE = 1
GIOI_TINH_FEMALE = 2

# Sex rule -> (rule code, annex, sex allowed and sex recorded in Vietnamese, in English).
_SEX_RULES: dict[Sex, tuple[RuleCode, str, str, str, str, str]] = {
    "female": ("ICD_SEX_FEMALE_ONLY", "A4.1", "nữ", "nam", "female", "male"),
    "male": ("ICD_SEX_MALE_ONLY", "A4.2", "nam", "nữ", "male", "female"),
}

_MARKS = str.maketrans("", "", " .†*+\t")
_CODE_PREFIX = re.compile(r"^[A-Z][0-9][0-9A-Z]{0,3}$")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True, slots=True)
class Chapter:
    number: str  # Roman numeral, "I" to "XXII"
    range: str  # "A00-B99"
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Group:
    range: str  # "A90-A99"
    name_vi: str
    name_en: str


@dataclass(frozen=True, slots=True)
class AgeLimit:
    annex: str  # "A3.1" … "A3.10"
    min_days: int | None  # inclusive; None = no lower limit
    max_days: int | None  # inclusive; None = no upper limit
    label_vi: str  # as the annex title words it: "trên 27 ngày tuổi", "8 – 19 tuổi"
    label_en: str

    def allows(self, age_days: int | tuple[int, int]) -> bool:
        """Whether the age (or some age of a range: a birth date of unknown day or month)
        is within the limit."""
        youngest, oldest = age_days if isinstance(age_days, tuple) else (age_days, age_days)
        too_young = self.min_days is not None and oldest < self.min_days
        too_old = self.max_days is not None and youngest > self.max_days
        return not (too_young or too_old)


@dataclass(frozen=True, slots=True)
class DaggerAsteriskPair:
    dagger: str  # dotted codes
    asterisk: str
    principal: str  # the code annex A1 chooses as principal diagnosis


@dataclass(frozen=True, slots=True)
class Icd10Code:
    code: str  # "A97.0"
    code_nodot: str  # "A970"
    name_vi: str
    name_en: str  # empty for A97, the one code the annex leaves without English name
    chapter: Chapter
    group: Group  # main group (MÃ NHÓM CHÍNH)
    subgroups: tuple[Group, ...]  # sub groups 1 and 2, where the annex has them
    mark: Mark | None
    not_principal: bool  # annex A2
    sex: Sex | None  # annex A4.1 (female) / A4.2 (male)
    age_limits: tuple[AgeLimit, ...]  # annexes A3.x; all must hold
    pairs: tuple[DaggerAsteriskPair, ...]  # annex A1 pairs this code is part of
    drg_mdc: tuple[str, ...]  # annex E/E1: "1" … "25", "U1" = not grouped

    @property
    def valid_as_principal(self) -> bool:
        """Usable as principal diagnosis on its own (not in A2)."""
        return not self.not_principal

    @property
    def min_age_days(self) -> int | None:
        """Tightest lower age limit over all age annexes of the code."""
        return max((a.min_days for a in self.age_limits if a.min_days is not None), default=None)

    @property
    def max_age_days(self) -> int | None:
        return min((a.max_days for a in self.age_limits if a.max_days is not None), default=None)


@dataclass(frozen=True, slots=True)
class RuleViolation:
    rule: RuleCode
    code: str  # dotted code, or the text given when unknown
    message_vi: str
    message_en: str
    annex: str | None  # the QĐ 4469 annex that sets the rule: "A2", "A4.1", "A3.5", …


@cache
def _data() -> dict[str, Any]:
    raw = resources.files("yteso.reference").joinpath("data/icd10.json.gz").read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


def _dotted(nodot: str) -> str:
    return nodot if len(nodot) == 3 else f"{nodot[:3]}.{nodot[3:]}"


def _age_limits(data: dict[str, Any]) -> dict[str, tuple[AgeLimit, ...]]:
    by_code: dict[str, list[AgeLimit]] = {}
    for annex, rule in sorted(data["age"].items(), key=lambda item: _annex_key(item[0])):
        limit = AgeLimit(
            annex, rule["min_days"], rule["max_days"], rule["label_vi"], rule["label_en"]
        )
        for code in rule["codes"]:
            by_code.setdefault(code, []).append(limit)
    return {code: tuple(limits) for code, limits in by_code.items()}


def _annex_key(annex: str) -> tuple[int, ...]:
    return tuple(int(part) for part in annex[1:].split("."))


def _pairs(data: dict[str, Any]) -> dict[str, tuple[DaggerAsteriskPair, ...]]:
    by_code: dict[str, list[DaggerAsteriskPair]] = {}
    for dagger, asterisk, principal in data["pairs"]:
        pair = DaggerAsteriskPair(_dotted(dagger), _dotted(asterisk), _dotted(principal))
        by_code.setdefault(dagger, []).append(pair)
        by_code.setdefault(asterisk, []).append(pair)
    return {code: tuple(pairs) for code, pairs in by_code.items()}


@cache
def _codes() -> dict[str, Icd10Code]:
    """All codes by undotted code, in classification order."""
    data = _data()
    chapters = {k: Chapter(k, *v) for k, v in data["chapters"].items()}
    groups = {k: Group(k, *v) for k, v in data["groups"].items()}
    sexes: dict[str, Sex] = {c: "female" for c in data["sex"]["female"]}
    sexes.update({c: "male" for c in data["sex"]["male"]})
    not_principal = set(data["not_principal"])
    ages, pairs, mdc = _age_limits(data), _pairs(data), data["drg_mdc"]
    result: dict[str, Icd10Code] = {}
    for nodot, name_vi, name_en, chapter, group, sub1, sub2, mark in data["codes"]:
        result[nodot] = Icd10Code(
            code=_dotted(nodot),
            code_nodot=nodot,
            name_vi=name_vi,
            name_en=name_en,
            chapter=chapters[chapter],
            group=groups[group],
            subgroups=tuple(groups[g] for g in (sub1, sub2) if g),
            mark=mark or None,
            not_principal=nodot in not_principal,
            sex=sexes.get(nodot),
            age_limits=ages.get(nodot, ()),
            pairs=pairs.get(nodot, ()),
            drg_mdc=tuple(mdc.get(nodot, ())),
        )
    return result


def normalize(code: str) -> str:
    """Undotted upper-case key: " a97.0 " -> "A970", "G01*" -> "G01"."""
    return code.upper().translate(_MARKS)


@cache
def codes() -> tuple[Icd10Code, ...]:
    """Every code, in classification order."""
    return tuple(_codes().values())


def get(code: str) -> Icd10Code | None:
    return _codes().get(normalize(code))


# --- search ---------------------------------------------------------------------------


def _words(text: str) -> str:
    """Folded words, each preceded by a space, so ' ' + prefix finds a word start."""
    return "".join(f" {w}" for w in _NON_WORD.sub(" ", fold(text)).split())


@cache
def _index() -> tuple[tuple[Icd10Code, str, str], ...]:
    """(code, folded Vietnamese name, folded code + both names) for every code."""
    return tuple(
        (c, _words(c.name_vi), _words(f"{c.code_nodot} {c.name_vi} {c.name_en}"))
        for c in _codes().values()
    )


def search(query: str, limit: int = 20) -> list[Icd10Code]:
    """Codes matching every word of the query, typed with or without diacritics.

    A word matches the start of a word of the code or the Vietnamese or English name. Order:
    codes starting with the query ("A97", "a97.0"), then Vietnamese names starting with the
    query words, then the other matches; classification order within each.
    """
    phrase = _words(query)
    words = phrase.split()
    if not words or limit <= 0:
        return []
    key = normalize(query)
    by_code = key if _CODE_PREFIX.match(key) else None
    tiers: tuple[list[Icd10Code], list[Icd10Code], list[Icd10Code]] = ([], [], [])
    for code, name, text in _index():
        if by_code is not None and code.code_nodot.startswith(by_code):
            tiers[0].append(code)
        elif all(f" {w}" in text for w in words):
            tiers[1 if name.startswith(phrase) else 2].append(code)
    return [*tiers[0], *tiers[1], *tiers[2]][:limit]


# --- claim rules ----------------------------------------------------------------------


def check(
    code: str,
    *,
    sex: int | None = None,
    age_days: int | tuple[int, int] | None = None,
    principal: bool = False,
    secondary: Iterable[str] = (),
) -> list[RuleViolation]:
    """Rules of QĐ 4469 that a diagnosis breaks; an empty list when it breaks none.

    `sex` is the QĐ 130 GIOI_TINH code (1 male, 2 female, 3 undetermined); `age_days` the
    patient's age in days at the visit, or the (youngest, oldest) it can be when the birth
    date lacks its day or month: a rule is broken only if every age of it breaks the rule.
    None means unknown and never breaks a rule.
    `principal` says whether the code is the principal diagnosis (MA_BENH_CHINH);
    `secondary` lists the other codes of the episode (MA_BENH_KT), which lets an asterisk
    code stand as principal next to its dagger code (annex A1).
    An unknown code yields only ICD_UNKNOWN; otherwise every broken rule is listed, in the
    order not-principal, sex, age.
    """
    entry = get(code)
    if entry is None:
        return [_unknown(code)]
    found: list[RuleViolation] = []
    if principal and entry.not_principal and not _dagger_present(entry, secondary):
        found.append(_not_principal(entry))
    if entry.sex is not None and _recorded_sex(sex) not in (None, entry.sex):
        found.append(_wrong_sex(entry, entry.sex))
    if age_days is not None:
        found.extend(
            _wrong_age(entry, a, age_days) for a in entry.age_limits if not a.allows(age_days)
        )
    return found


def _recorded_sex(sex: int | None) -> Sex | None:
    return "male" if sex == GIOI_TINH_MALE else "female" if sex == GIOI_TINH_FEMALE else None


def _dagger_present(entry: Icd10Code, secondary: Iterable[str]) -> bool:
    others = {normalize(c) for c in secondary}
    return any(p.principal == entry.code and normalize(p.dagger) in others for p in entry.pairs)


def _label(entry: Icd10Code) -> str:
    return f"{entry.code} ({entry.name_vi})"


def _unknown(code: str) -> RuleViolation:
    return RuleViolation(
        rule="ICD_UNKNOWN",
        code=code,
        message_vi=f"Mã ICD-10 '{code}' không có trong danh mục QĐ 4469/QĐ-BYT.",
        message_en=f"ICD-10 code '{code}' is not in the QĐ 4469/QĐ-BYT list.",
        annex=None,
    )


def _not_principal(entry: Icd10Code) -> RuleViolation:
    daggers = sorted({p.dagger for p in entry.pairs if p.principal == entry.code})
    vi_tail = (
        f" Chỉ dùng làm bệnh chính khi đi kèm mã (†): {', '.join(daggers)}." if daggers else ""
    )
    en_tail = (
        f" It is principal only next to its dagger code: {', '.join(daggers)}." if daggers else ""
    )
    return RuleViolation(
        rule="ICD_NOT_PRINCIPAL",
        code=entry.code,
        message_vi=f"Mã {_label(entry)} không được dùng làm bệnh chính (Phụ lục A2).{vi_tail}",
        message_en=f"Code {entry.code} may not be the principal diagnosis (annex A2).{en_tail}",
        annex="A2",
    )


def _wrong_sex(entry: Icd10Code, sex: Sex) -> RuleViolation:
    rule, annex, only_vi, given_vi, only_en, given_en = _SEX_RULES[sex]
    return RuleViolation(
        rule=rule,
        code=entry.code,
        message_vi=f"Mã {_label(entry)} chỉ dùng cho người bệnh {only_vi} (Phụ lục {annex});"
        f" giới tính ghi nhận: {given_vi}.",
        message_en=f"Code {entry.code} is for {only_en} patients only (annex {annex});"
        f" recorded sex: {given_en}.",
        annex=annex,
    )


def _wrong_age(entry: Icd10Code, limit: AgeLimit, age_days: int | tuple[int, int]) -> RuleViolation:
    age = f"{age_days[0]}–{age_days[1]}" if isinstance(age_days, tuple) else str(age_days)
    return RuleViolation(
        rule="ICD_AGE_RANGE",
        code=entry.code,
        message_vi=f"Mã {_label(entry)} chỉ phù hợp độ tuổi: {limit.label_vi} (Phụ lục "
        f"{limit.annex}: {_days(limit)} ngày tuổi); người bệnh {age} ngày tuổi.",
        message_en=f"Code {entry.code} fits age {limit.label_en} only (annex {limit.annex}:"
        f" {_days(limit)} days old); the patient is {age} days old.",
        annex=limit.annex,
    )


def _days(limit: AgeLimit) -> str:
    if limit.max_days is None:
        return f">= {limit.min_days}"
    if limit.min_days is None:
        return f"<= {limit.max_days}"
    return f"{limit.min_days}-{limit.max_days}"
