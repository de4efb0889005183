"""Expectation–maximisation of the m and u probabilities from unlabelled candidate pairs.

Pairs are counted by comparison vector first: a population yields a few thousand distinct
vectors however many pairs it has, so each iteration is cheap.
"""

from __future__ import annotations

import math
import random
from collections import Counter

from yteso.patients.features import MatchRecord
from yteso.patients.matching import FIELDS, LEVELS, Model, compare

_FLOOR = 1e-6  # keeps every level possible: a zero would veto all pairs showing it
# Even one person's records disagree now and then on anything (a mistyped sex, a wrong year):
# no single disagreement may outweigh all the rest.
_M_FLOOR = 1e-3
_PRIOR_BOUNDS = (1e-4, 0.9)


def _posterior(model: Model, pattern: tuple[int, ...]) -> float:
    log_odds = math.log(model.prior / (1 - model.prior))
    for name, level in zip(FIELDS, pattern, strict=True):
        if level:
            log_odds += math.log(model.m[name][level - 1] / model.u[name][level - 1])
    return 1 / (1 + math.exp(-max(min(log_odds, 60.0), -60.0)))


def _normalised(counts: list[float], floor: float = _FLOOR) -> list[float]:
    floored = [max(c, floor) for c in counts]
    total = sum(floored)
    return [c / total for c in floored]


def _maximise(model: Model, patterns: Counter[tuple[int, ...]]) -> Model:
    m_counts = {name: [0.0] * len(model.m[name]) for name in FIELDS}
    u_counts = {name: [0.0] * len(model.u[name]) for name in FIELDS}
    matched = 0.0
    total = 0
    for pattern, count in patterns.items():
        p = _posterior(model, pattern)
        matched += p * count
        total += count
        for index, level in enumerate(pattern):
            if level:
                name = FIELDS[index]
                m_counts[name][level - 1] += p * count
                u_counts[name][level - 1] += (1 - p) * count
    low, high = _PRIOR_BOUNDS
    return Model(
        m={name: _normalised(m_counts[name], _M_FLOOR) for name in FIELDS},
        u={name: _normalised(u_counts[name]) for name in FIELDS},
        prior=min(max(matched / max(total, 1), low), high),
        tf=model.tf,
        tf_agree=model.tf_agree,
    )


def estimate(
    start: Model, patterns: Counter[tuple[int, ...]], iterations: int = 25, tolerance: float = 1e-5
) -> Model:
    """Refine `start` on the candidate pairs' comparison vectors until it settles."""
    model = start
    if not patterns:
        return model
    for _ in range(iterations):
        refined = _maximise(model, patterns)
        change = abs(refined.prior - model.prior) + max(
            abs(new - old)
            for name in FIELDS
            for new, old in zip(refined.m[name], model.m[name], strict=True)
        )
        model = refined
        if change < tolerance:
            break
    return model


def random_pair_u(
    records: list[MatchRecord], samples: int = 200_000, seed: int = 0
) -> dict[str, list[float]]:
    """u probabilities from random pairs: nearly all of them are two different people.

    Estimating u on candidate pairs instead would make name agreement look common, because
    blocking put records with the same names together.
    """
    counts = {name: [0.0] * len(LEVELS[name]) for name in FIELDS}
    if len(records) >= 2:
        rng = random.Random(seed)
        for _ in range(samples):
            i, j = rng.randrange(len(records)), rng.randrange(len(records))
            if i != j:
                for name, level in zip(FIELDS, compare(records[i], records[j]), strict=True):
                    if level:
                        counts[name][level - 1] += 1
    floor = 1 / (2 * samples)
    return {name: _normalised(counts[name], floor) for name in FIELDS}


def population_model(
    records: list[MatchRecord], patterns: Counter[tuple[int, ...]], start: Model
) -> Model:
    """m from EM on the candidate pairs, u from random pairs, prior for any two records."""
    fitted = estimate(start, patterns)
    candidate_pairs = sum(patterns.values())
    all_pairs = max(len(records) * (len(records) - 1) // 2, 1)
    matches = max(fitted.prior * candidate_pairs, 1.0)
    return Model(
        m=fitted.m,
        u=random_pair_u(records),
        prior=min(matches / all_pairs, 0.5),
        tf=start.tf,
        tf_agree=start.tf_agree,
    )
