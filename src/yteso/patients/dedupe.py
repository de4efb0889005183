"""Batch deduplication of a whole population in memory (`yteso mpi dedupe`).

Blocking yields candidate pairs, each compared once (a pair sharing several keys is kept
only under its first rule). Pairs are stored compactly as two record indexes and the id of
their comparison vector; EM estimates the model on the vectors' counts; links are then
clustered strongest first, refusing any merge that would join two different identifiers.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from yteso.patients.estimation import population_model
from yteso.patients.features import (
    BLOCKING_RULES,
    PARTIAL_DATE_RULE,
    MatchRecord,
    RawRecord,
    blocking_keys,
    prepare,
)
from yteso.patients.matching import (
    FIELDS,
    Model,
    Thresholds,
    compare,
    contradicted,
    default_model,
    with_frequencies,
)
from yteso.patients.names import within_one_edit

# Blocks bigger than this carry too little information to be worth n² comparisons (a shared
# phone of a commune health station, the most common name in one birth year).
MAX_BLOCK = 400
RULES = len(BLOCKING_RULES)
STEPS = RULES + 2  # progress units per record: prepare, each blocking rule, clustering

Progress = Callable[[int], None]

# Without a person to review the unsure pairs, batch links from a match probability of 80 %:
# on generated populations that loses no precision (see bench/patients.py).
BATCH_THRESHOLDS = Thresholds(link=2.0)


@dataclass(slots=True)
class Pairs:
    left: array[int] = field(default_factory=lambda: array("i"))
    right: array[int] = field(default_factory=lambda: array("i"))
    pattern: array[int] = field(default_factory=lambda: array("I"))
    patterns: dict[tuple[int, ...], int] = field(default_factory=dict)


@dataclass(slots=True)
class DedupeResult:
    person_ids: list[str]  # per input record, in input order
    records: list[MatchRecord]
    model: Model
    candidate_pairs: int
    links: int
    review: list[str]  # record ids to look at: too little to match on


def _candidate_pairs(records: list[MatchRecord], progress: Progress) -> Pairs:
    keys = [blocking_keys(r) for r in records]
    pairs = Pairs()
    for rule in range(RULES):
        blocks: dict[str, list[int]] = {}
        for index, record_keys in enumerate(keys):
            key = record_keys[rule]
            if key is not None:
                blocks.setdefault(key, []).append(index)
        for members in blocks.values():
            if 2 <= len(members) <= MAX_BLOCK:
                _compare_block(records, keys, rule, members, pairs)
        progress(len(records))
    return pairs


def _compare_block(
    records: list[MatchRecord],
    keys: list[tuple[str | None, ...]],
    rule: int,
    members: list[int],
    pairs: Pairs,
) -> None:
    partial_only = rule == PARTIAL_DATE_RULE
    for position, i in enumerate(members):
        keys_i, record_i = keys[i][:rule], records[i]
        for j in members[position + 1 :]:
            if partial_only and record_i.birth_digits and records[j].birth_digits:
                continue
            keys_j = keys[j]
            if any(k is not None and k == keys_j[t] for t, k in enumerate(keys_i)):
                continue  # already compared under an earlier rule
            levels = compare(record_i, records[j])
            pattern = pairs.patterns.setdefault(levels, len(pairs.patterns))
            pairs.left.append(i)
            pairs.right.append(j)
            pairs.pattern.append(pattern)


class _Clusters:
    """Union–find that keeps each cluster's identifiers to refuse conflicting merges."""

    def __init__(self, records: list[MatchRecord]) -> None:
        self.parent = list(range(len(records)))
        self.numbers: list[set[str]] = [
            {n for n in (f"c{r.cccd}" if r.cccd else "", f"s{r.sin}" if r.sin else "") if n}
            for r in records
        ]

    def root(self, index: int) -> int:
        while self.parent[index] != index:
            self.parent[index] = self.parent[self.parent[index]]
            index = self.parent[index]
        return index

    def join(self, a: int, b: int) -> bool:
        ra, rb = self.root(a), self.root(b)
        if ra == rb:
            return True
        for x in self.numbers[ra]:
            for y in self.numbers[rb]:
                if x[0] == y[0] and not within_one_edit(x, y):
                    return False
        self.parent[rb] = ra
        self.numbers[ra] |= self.numbers[rb]
        self.numbers[rb] = set()
        return True


def _pattern_scores(model: Model, pairs: Pairs) -> tuple[list[float], list[bool]]:
    weights, trusted = [0.0] * len(pairs.patterns), [False] * len(pairs.patterns)
    for levels, pid in pairs.patterns.items():
        weights[pid] = model.prior_weight() + sum(
            model.weight(name, level) for name, level in zip(FIELDS, levels, strict=True)
        )
        trusted[pid] = not contradicted(levels)
    return weights, trusted


def _links(model: Model, thresholds: Thresholds, records: list[MatchRecord], pairs: Pairs
           ) -> list[tuple[int, float, int, int]]:  # fmt: skip
    weights, trusted = _pattern_scores(model, pairs)
    levels_of = {pid: levels for levels, pid in pairs.patterns.items()}
    links = []
    for i, j, pid in zip(pairs.left, pairs.right, pairs.pattern, strict=True):
        a, b = records[i], records[j]
        if a.too_little or b.too_little:
            continue
        levels = levels_of[pid]
        exact = trusted[pid] and (
            (levels[0] == 1 and a.cccd_confirmed and b.cccd_confirmed) or levels[1] == 1
        )
        weight = weights[pid]
        if levels[2] == 1:
            weight += model.tf_adjustment("family", a.family)
        if levels[4] == 1:
            weight += model.tf_adjustment("given", a.given)
        if exact or weight >= thresholds.link:
            links.append((0 if exact else 1, -weight, i, j))
    links.sort()
    return links


def dedupe(
    rows: Iterable[RawRecord],
    thresholds: Thresholds | None = None,
    commune_of: Callable[[str], str | None] | None = None,
    progress: Progress | None = None,
) -> DedupeResult:
    """Group records by person; person ids are "P" + a number, in order of first record."""
    advance = progress or (lambda _n: None)
    records = [prepare(row, commune_of) for row in rows]
    advance(len(records))
    pairs = _candidate_pairs(records, advance)
    # EM starts from the shipped parameters, with a prior for candidate pairs.
    start = with_frequencies(replace(default_model(), prior=0.1), records)
    model = population_model(records, _vectors(pairs), start)
    links = _links(model, thresholds or BATCH_THRESHOLDS, records, pairs)
    clusters = _Clusters(records)
    joined = sum(clusters.join(i, j) for _, _, i, j in links)
    numbers: dict[int, str] = {}
    person_ids = [
        numbers.setdefault(clusters.root(i), f"P{len(numbers) + 1}") for i in range(len(records))
    ]
    advance(len(records))
    review = [r.record_id for r in records if r.too_little]
    return DedupeResult(person_ids, records, model, len(pairs.left), joined, review)


def _vectors(pairs: Pairs) -> Counter[tuple[int, ...]]:
    counts = Counter(pairs.pattern)
    return Counter({levels: counts[pid] for levels, pid in pairs.patterns.items()})
