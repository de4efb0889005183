"""One incoming record turned into the comparable features matching works on (pure).

Malformed values are reported per field and dropped; a CCCD whose birth year or sex
disagrees with the stated ones is kept for scoring but never trusted for an exact link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from hashlib import blake2b

from yteso.core.errors import FieldProblem
from yteso.core.text import fold
from yteso.patients.birth_dates import BirthDate, parse_partial_iso
from yteso.patients.identifiers import InvalidIdentifier, cccd_warnings, parse_bhyt, parse_cccd
from yteso.patients.names import distinctive_middle, spelling_key, split_name

_PHONE = re.compile(r"0\d{9,10}", re.ASCII)
_COMMUNE = re.compile(r"\d{5}", re.ASCII)


@dataclass(frozen=True, slots=True)
class RawRecord:
    """A record as it arrives (CSV row, kiosk scan, claim, FHIR Patient); "" = unknown."""

    record_id: str
    full_name: str = ""
    birth_date: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY
    sex: str = ""  # 1 male, 2 female, 3 unknown
    cccd: str = ""
    bhyt: str = ""
    commune_code: str = ""
    address: str = ""
    phone: str = ""


@dataclass(slots=True)
class MatchRecord:
    record_id: str
    display_name: str
    family: str  # diacritic-free, lower case
    middle: tuple[str, ...]  # distinctive middle words (Thị/Văn left out)
    given: str
    family_key: str  # spelling-variant key
    given_key: str
    birth: BirthDate | None
    birth_digits: str  # "19900517" for a full date, else ""
    sex: int | None  # 1 or 2; None when unknown
    cccd: str | None
    cccd_confirmed: bool  # valid and consistent with the stated birth year and sex
    sin: str | None  # social insurance number from the BHYT card
    bhyt: str | None
    commune: str | None
    phone: str | None
    problems: list[FieldProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def too_little(self) -> bool:
        """Nothing that could tell this person from thousands of others."""
        if self.cccd_confirmed or self.sin:
            return False
        return not (self.given and self.family and self.birth is not None)


def _birth(raw: str, problems: list[FieldProblem]) -> BirthDate | None:
    if not raw.strip():
        return None
    try:
        return parse_partial_iso(raw)
    except ValueError as error:
        problems.append(FieldProblem("birth_date", str(error), value=raw))
        return None


def _sex(raw: str, problems: list[FieldProblem]) -> int | None:
    value = raw.strip()
    if value in ("1", "2"):
        return int(value)
    if value not in ("", "3"):
        problems.append(FieldProblem("sex", "giới tính ghi 1 (nam), 2 (nữ) hoặc 3", value=raw))
    return None


def _simple(raw: str, pattern: re.Pattern[str], name: str, message: str,
            problems: list[FieldProblem]) -> str | None:  # fmt: skip
    value = "".join(raw.split())
    if not value:
        return None
    if pattern.fullmatch(value):
        return value
    problems.append(FieldProblem(name, message, value=raw))
    return None


@lru_cache(maxsize=200_000)
def _name_features(full_name: str) -> tuple[str, str, tuple[str, ...], str, str, str]:
    # Cached: a population repeats its names, and folding is the costly part of a record.
    name = split_name(full_name)
    return (
        name.full,
        fold(name.family),
        distinctive_middle(name.middle),
        fold(name.given),
        spelling_key(name.family) if name.family else "",
        spelling_key(name.given) if name.given else "",
    )


def prepare(raw: RawRecord, commune_of: Callable[[str], str | None] | None = None) -> MatchRecord:
    """Features of one record; `commune_of` maps an old commune code to the current one."""
    problems: list[FieldProblem] = []
    display, family, middle, given, family_key, given_key = _name_features(raw.full_name)
    birth = _birth(raw.birth_date, problems)
    sex = _sex(raw.sex, problems)
    record = MatchRecord(
        record_id=raw.record_id,
        display_name=display,
        family=family,
        middle=middle,
        given=given,
        family_key=family_key,
        given_key=given_key,
        birth=birth,
        birth_digits=birth.iso().replace("-", "") if birth and birth.day else "",
        sex=sex,
        cccd=None,
        cccd_confirmed=False,
        sin=None,
        bhyt=None,
        commune=_simple(raw.commune_code, _COMMUNE, "commune_code", "mã xã gồm 5 chữ số",
                        problems),
        phone=_simple(raw.phone, _PHONE, "phone", "số điện thoại gồm 10–11 chữ số, bắt đầu 0",
                      problems),
        problems=problems,
    )  # fmt: skip
    if record.commune and commune_of is not None:
        record.commune = commune_of(record.commune) or record.commune
    _add_identifiers(record, raw)
    return record


def _add_identifiers(record: MatchRecord, raw: RawRecord) -> None:
    if raw.cccd.strip():
        try:
            cccd = parse_cccd(raw.cccd)
        except InvalidIdentifier as error:
            record.problems.append(FieldProblem("cccd", error.message, value=raw.cccd))
        else:
            year = record.birth.year if record.birth else None
            record.warnings += cccd_warnings(cccd, year, record.sex)
            record.cccd = cccd.value
            record.cccd_confirmed = not record.warnings and year is not None
    if raw.bhyt.strip():
        try:
            card = parse_bhyt(raw.bhyt)
        except InvalidIdentifier as error:
            record.problems.append(FieldProblem("bhyt", error.message, value=raw.bhyt))
        else:
            record.bhyt, record.sin = card.value, card.social_insurance_number


# Names of the blocking rules, in the order of the keys blocking_keys returns.
BLOCKING_RULES = ("cccd", "social insurance number", "phone", "family + date", "given + date",
                  "name + year", "name + commune")  # fmt: skip
# Under "name + year", two full birth dates were already compared by the date rules when
# they agree (or only swap day and month): the rule is there for partial dates.
PARTIAL_DATE_RULE = BLOCKING_RULES.index("name + year")


def blocking_keys(record: MatchRecord) -> tuple[str | None, ...]:
    """One key per blocking rule (None where the rule does not apply), in a fixed order.

    Candidate pairs share at least one key. The rules cover each kind of damage on its own:
    a typo'd name still shares the date, a changed commune still shares the name and year,
    a swapped day/month still shares the sorted pair.
    """
    birth = record.birth
    year = str(birth.year) if birth else None
    day_month = None
    if birth and birth.month and birth.day:
        day_month = "".join(sorted((f"{birth.month:02d}", f"{birth.day:02d}")))
    family, given = record.family_key, record.given_key
    return (
        f"c{record.cccd}" if record.cccd else None,
        f"s{record.sin}" if record.sin else None,
        f"p{record.phone}" if record.phone else None,
        f"d{family}|{year}{day_month}" if day_month and year else None,
        f"m{given}|{year}{day_month}" if day_month and year and given else None,
        f"n{family}|{given}|{year}" if given and year else None,
        f"a{family}|{'-'.join(record.middle)}|{given}|{record.commune}"
        if given and record.commune
        else None,
    )


def key_hashes(keys: tuple[str | None, ...]) -> list[int]:
    """Signed 64-bit hashes of the keys, as stored in person_block_keys (stable across runs)."""
    return [
        int.from_bytes(blake2b(key.encode(), digest_size=8).digest(), "big", signed=True)
        for key in keys
        if key is not None
    ]
