"""Fellegi–Sunter scoring of two records, term-frequency adjusted, with exact-identifier rules.

Each field is compared at a few levels (0 = unknown on either side: no evidence). A level's
weight is log2(m / u): m the chance of that level for records of one person, u for records
of two people who shared a blocking key. Agreement on a name weighs more the rarer the name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum

from yteso.patients.features import MatchRecord
from yteso.patients.names import FAMILY_NAME_SHARE, RARE_FAMILY_NAME_SHARE, within_one_edit

FIELDS = ("cccd", "sin", "family", "middle", "given", "birth", "sex", "commune", "phone")
# Level labels per field, level 1 first (level 0 is always "unknown").
LEVELS: dict[str, tuple[str, ...]] = {
    "cccd": ("same", "one typo apart", "different"),
    "sin": ("same", "different"),
    "family": ("same", "spelling variant", "different"),
    "middle": ("same", "compatible (dropped or Thị/Văn only)", "different"),
    "given": ("same", "spelling variant", "different"),
    "birth": ("same day", "agree on the known parts", "day/month swapped or one typo", "different"),
    "sex": ("same", "different"),
    "commune": ("same", "different"),
    "phone": ("same", "different"),
}
TF_FIELDS = ("family", "given")


class Outcome(StrEnum):
    LINK = "link"
    REVIEW = "review"
    NEW = "new"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Match weight (log2 odds, prior included) at or above which a pair is linked/reviewed."""

    link: float = 6.0
    review: float = 0.0


@dataclass(slots=True)
class Model:
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    prior: float  # share of candidate pairs that are one person
    # Share of records bearing each value, and the sum of squared shares (chance that two
    # random records agree), for the term-frequency adjustment.
    tf: dict[str, dict[str, float]] = field(default_factory=dict)
    tf_agree: dict[str, float] = field(default_factory=dict)

    def weight(self, name: str, level: int) -> float:
        if level == 0:
            return 0.0
        return math.log2(self.m[name][level - 1] / self.u[name][level - 1])

    def tf_adjustment(self, name: str, value: str) -> float:
        shares = self.tf.get(name)
        if not shares or name not in self.tf_agree:
            return 0.0
        # A value never counted is rarer than any counted one.
        share = shares.get(value, RARE_FAMILY_NAME_SHARE / 10)
        return math.log2(self.tf_agree[name] / share)

    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))


def default_model(population: int = 1_000_000) -> Model:
    """Parameters estimated on 200,000 generated messy records (m by EM on candidate pairs,
    u on random pairs), family-name shares from the national surveys.

    `population` is how many people a record could belong to: the prior chance that a record
    and one given person are the same is one in that many.
    """
    family_tf = dict(FAMILY_NAME_SHARE)
    return Model(
        m={
            "cccd": [0.972, 0.027, 0.001], "sin": [0.999, 0.001],
            "family": [0.97, 0.029, 0.001], "middle": [0.53, 0.467, 0.003],
            "given": [0.955, 0.044, 0.001], "birth": [0.92, 0.064, 0.013, 0.003],
            "sex": [0.99, 0.01], "commune": [0.9, 0.1], "phone": [0.83, 0.17],
        },
        u={
            "cccd": [1e-6, 1e-5, 0.99999], "sin": [1e-6, 0.999999],
            "family": [0.175, 0.014, 0.811], "middle": [0.012, 0.678, 0.31],
            "given": [0.0078, 0.028, 0.9642], "birth": [3e-5, 5e-4, 1.1e-3, 0.99837],
            "sex": [0.5, 0.5], "commune": [0.016, 0.984], "phone": [1e-6, 0.999999],
        },
        prior=1 / max(population, 2),
        tf={"family": family_tf},
        tf_agree={"family": sum(share * share for share in family_tf.values())},
    )  # fmt: skip


def _text(a: str, b: str, key_a: str, key_b: str) -> int:
    if not a or not b:
        return 0
    if a == b:
        return 1
    return 2 if key_a == key_b or within_one_edit(a, b) else 3


def _middle(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    if not a or not b:
        return 2
    if a == b or within_one_edit(" ".join(a), " ".join(b)):
        return 1
    return 2 if set(a) <= set(b) or set(b) <= set(a) else 3


def _birth(a: MatchRecord, b: MatchRecord) -> int:
    x, y = a.birth, b.birth
    if x is None or y is None:
        return 0
    if x == y:
        return 1 if x.day is not None else 2
    if x.year == y.year and (x.month is None or y.month is None or (
            x.month == y.month and (x.day is None or y.day is None))):  # fmt: skip
        return 2
    if x.day is not None and y.day is not None:
        if x.year == y.year and (x.month, x.day) == (y.day, y.month):
            return 3
        if within_one_edit(a.birth_digits, b.birth_digits):
            return 3
    return 4


def _equal(a: object, b: object) -> int:
    if a is None or b is None:
        return 0
    return 1 if a == b else 2


def compare(a: MatchRecord, b: MatchRecord) -> tuple[int, ...]:
    """The comparison vector, in FIELDS order."""
    cccd = 0
    if a.cccd and b.cccd:
        cccd = 1 if a.cccd == b.cccd else 2 if within_one_edit(a.cccd, b.cccd) else 3
    return (
        cccd,
        _equal(a.sin, b.sin),
        _text(a.family, b.family, a.family_key, b.family_key),
        _middle(a.middle, b.middle) if a.given and b.given else 0,
        _text(a.given, b.given, a.given_key, b.given_key),
        _birth(a, b),
        _equal(a.sex, b.sex),
        _equal(a.commune, b.commune),
        _equal(a.phone, b.phone),
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str
    level: str
    weight: float


@dataclass(frozen=True, slots=True)
class PairDecision:
    outcome: Outcome
    weight: float  # match weight, prior included
    probability: float
    rule: str  # "cccd", "social insurance number" or "probabilistic"
    evidence: tuple[Evidence, ...]


def contradicted(levels: tuple[int, ...]) -> bool:
    """Names and birth date say these are two people: a shared number is then a typo."""
    family, given, birth = levels[2], levels[4], levels[5]
    return given == 3 and (family == 3 or birth == 4)


def _exact_rule(a: MatchRecord, b: MatchRecord, levels: tuple[int, ...]) -> str | None:
    if contradicted(levels):
        return None
    if levels[0] == 1 and a.cccd_confirmed and b.cccd_confirmed:
        return "cccd"
    if levels[1] == 1:
        return "social insurance number"
    return None


def field_weights(model: Model, a: MatchRecord, b: MatchRecord,
                  levels: tuple[int, ...]) -> list[float]:  # fmt: skip
    weights = [model.weight(name, level) for name, level in zip(FIELDS, levels, strict=True)]
    if levels[2] == 1:
        weights[2] += model.tf_adjustment("family", a.family)
    if levels[4] == 1:
        weights[4] += model.tf_adjustment("given", a.given)
    return weights


def decide(model: Model, thresholds: Thresholds, a: MatchRecord, b: MatchRecord) -> PairDecision:
    levels = compare(a, b)
    weights = field_weights(model, a, b, levels)
    total = model.prior_weight() + sum(weights)
    evidence = tuple(
        Evidence(name, "unknown" if level == 0 else LEVELS[name][level - 1], round(weight, 2))
        for name, level, weight in zip(FIELDS, levels, weights, strict=True)
    )
    rule = _exact_rule(a, b, levels)
    if rule is not None:
        outcome = Outcome.LINK
    elif a.too_little or b.too_little:
        outcome = Outcome.REVIEW if total >= thresholds.review else Outcome.NEW
    elif total >= thresholds.link:
        outcome = Outcome.LINK
    else:
        outcome = Outcome.REVIEW if total >= thresholds.review else Outcome.NEW
    probability = 1 / (1 + 2 ** -max(min(total, 60.0), -60.0))
    return PairDecision(outcome, round(total, 2), probability, rule or "probabilistic", evidence)


def with_frequencies(model: Model, records: list[MatchRecord]) -> Model:
    """The model with name frequencies counted on these records."""
    tf: dict[str, dict[str, float]] = {}
    agree: dict[str, float] = {}
    for name in TF_FIELDS:
        counts: dict[str, int] = {}
        for record in records:
            value = getattr(record, name)
            if value:
                counts[value] = counts.get(value, 0) + 1
        total = sum(counts.values())
        if total:
            tf[name] = {value: count / total for value, count in counts.items()}
            agree[name] = sum(share * share for share in tf[name].values())
    return replace(model, tf=tf, tf_agree=agree)
