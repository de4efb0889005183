"""Weighted draws that stay cheap when repeated a million times."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class WeightedChoice(Generic[T]):
    """Draws items in proportion to their weights: one `rng.random()` and a bisect per draw.

    Weights need not sum to anything; they are normalised once here.
    """

    __slots__ = ("_cumulative", "_items")

    def __init__(self, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = [(item, float(weight)) for item, weight in weighted]
        if any(weight < 0 for _, weight in pairs):
            raise ValueError("weights must not be negative")
        # Dropping zero weights keeps them from inheriting the rounding slack at the end.
        pairs = [(item, weight) for item, weight in pairs if weight > 0]
        if not pairs:
            raise ValueError("at least one weight must be positive")
        total = sum(weight for _, weight in pairs)
        self._items = tuple(item for item, _ in pairs)
        self._cumulative = [running / total for running in accumulate(w for _, w in pairs)]
        # random() < 1.0, so an exact 1.0 at the end keeps the bisect inside the items even
        # when rounding left the running sum a hair below 1.
        self._cumulative[-1] = 1.0

    def draw(self, rng: random.Random) -> T:
        return self._items[bisect(self._cumulative, rng.random())]
