"""Health insurance (BHYT) cards of synthetic people."""

from __future__ import annotations

import random
from bisect import bisect

from yteso.synth.identifiers import UniqueSerials
from yteso.synth.sampling import WeightedChoice

# Benefit digit (4th character of the card) of each beneficiary group, after the BHXH list of
# card codes (QĐ 1351/QĐ-BHXH and its amendments): 1 and 2 pay 100 % (1 without the
# ceiling on high-tech services), 3 pays 95 %, 4 pays 80 %, 5 (armed forces) 100 %.
BENEFIT_DIGIT_GROUPS: dict[int, tuple[str, ...]] = {
    1: ("CC", "TE"),
    2: ("CK", "CB", "KC", "HN", "DT", "DK", "XD", "BT", "TS"),
    3: ("HT", "TC", "CN"),
    4: (
        "DN", "HX", "CH", "NN", "TK", "HC", "XK", "TB", "NO", "XB", "XN", "TN", "CS", "XV",
        "HS", "SV", "GB", "GD", "HD", "TQ", "TA", "TY",
    ),
    5: ("QN", "CA", "CY"),
}  # fmt: skip
BENEFIT_DIGIT: dict[str, int] = {
    group: digit for digit, groups in BENEFIT_DIGIT_GROUPS.items() for group in groups
}
BENEFIT_LEVEL_PERCENT: dict[int, int] = {1: 100, 2: 100, 3: 95, 4: 80, 5: 100}

# Who holds which card, by age (first age of each stage). None = not insured. Weights are
# percent within the stage, tuned so that about 93 % of everyone is insured (national
# coverage at the end of 2024) with the gaps among working-age adults. Children under 6 (TE)
# and, in poorer rural minority communes, ethnic-minority residents (DT) are state-funded.
#   TE under-6s, HS pupils, SV students, DN/HC employees, GD household members, HN poor and
#   CN near-poor households, QN/CA armed forces, HT retirees, BT social allowance (80+),
#   CC/CK people with merit (war veterans and their relatives).
_STAGE_FIRST_AGES = [0, 6, 18, 23, 60, 80]
_GROUPS_BY_STAGE: tuple[tuple[tuple[str | None, float], ...], ...] = (
    (("TE", 99.0), (None, 1.0)),
    (("HS", 94.0), ("HN", 3.0), (None, 3.0)),
    (("SV", 35.0), ("DN", 22.0), ("GD", 27.0), ("HN", 3.0), ("QN", 2.0), ("CA", 1.0),
     (None, 10.0)),
    (("DN", 33.0), ("HC", 7.0), ("GD", 42.0), ("HN", 3.0), ("CN", 3.0), ("QN", 1.0),
     ("CA", 1.0), (None, 10.0)),
    (("HT", 42.0), ("GD", 41.0), ("CC", 3.0), ("CK", 3.0), ("HN", 3.0), ("CN", 2.0),
     (None, 6.0)),
    (("BT", 45.0), ("HT", 30.0), ("GD", 10.0), ("CC", 8.0), ("CK", 5.0), (None, 2.0)),
)  # fmt: skip
# Ethnic-minority residents of rural communes: most of them hold a DT card instead.
_GROUPS_BY_STAGE_MINORITY_RURAL: tuple[tuple[tuple[str | None, float], ...], ...] = (
    (("TE", 99.0), (None, 1.0)),
    (("HS", 45.0), ("DT", 50.0), ("HN", 3.0), (None, 2.0)),
    (("SV", 15.0), ("DT", 60.0), ("DN", 10.0), ("QN", 1.5), ("CA", 0.5), (None, 13.0)),
    (("DT", 62.0), ("DN", 12.0), ("HC", 4.0), ("HN", 4.0), ("CN", 2.0), ("GD", 8.0),
     (None, 8.0)),
    (("DT", 55.0), ("HT", 20.0), ("GD", 13.0), ("CC", 3.0), ("CK", 2.0), ("HN", 3.0),
     (None, 4.0)),
    (("BT", 45.0), ("DT", 30.0), ("HT", 10.0), ("CC", 8.0), ("CK", 5.0), (None, 2.0)),
)  # fmt: skip

_CHOICES = tuple(WeightedChoice(stage) for stage in _GROUPS_BY_STAGE)
_CHOICES_MINORITY_RURAL = tuple(WeightedChoice(stage) for stage in _GROUPS_BY_STAGE_MINORITY_RURAL)


class InsuranceCardIssuer:
    """Issues 15-character BHYT card numbers (STANDARDS §2), each social insurance number once.

    Card: group (2 letters), benefit digit, province of issue (2 digits), then the person's
    10-digit social insurance number, whose first two digits are the province where the
    number was first registered (the usual pattern; unverified) and the rest a unique serial.
    """

    __slots__ = ("_rng", "_serials")

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._serials = UniqueSerials(rng, 8)

    def issue(
        self, age: int, minority_rural: bool, issuing_province: int, registration_province: int
    ) -> tuple[str, int] | None:
        """(card number, benefit level in percent), or None for someone without a card."""
        choices = _CHOICES_MINORITY_RURAL if minority_rural else _CHOICES
        group = choices[bisect(_STAGE_FIRST_AGES, age) - 1].draw(self._rng)
        if group is None:
            return None
        digit = BENEFIT_DIGIT[group]
        number = (
            f"{group}{digit}{issuing_province:02d}"
            f"{registration_province:02d}{self._serials.next():08d}"
        )
        return number, BENEFIT_LEVEL_PERCENT[digit]
