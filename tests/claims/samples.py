"""Clean synthetic episodes for the claims tests (deep copies: tests may break them)."""

from __future__ import annotations

import copy
from collections import Counter
from functools import cache

from yteso.claims import Episode
from yteso.core.auth import Principal
from yteso.records import Caller
from yteso.synth.episodes import GeneratedEpisode, generate_episodes


@cache
def _generated() -> tuple[GeneratedEpisode, ...]:
    return tuple(generate_episodes(60, seed=11))


def episode(kind: str = "outpatient", *, papers: tuple[str, ...] = ()) -> Episode:
    """A clean episode of this kind that has the listed tables."""
    for item in _generated():
        tables = {d.table for d in item.episode.documents}
        if item.kind == kind and set(papers) <= tables:
            return copy.deepcopy(item.episode)
    raise LookupError(f"no {kind} episode with {papers}")


def all_episodes() -> list[Episode]:
    return [copy.deepcopy(item.episode) for item in _generated()]


def his(facility: str = "19001") -> Caller:
    """The HIS client of a facility, as the intake API passes it to the service."""
    return Caller(Principal("client", f"his-{facility}", "HIS thử", "his", facility), None)


def unique_middle_drug(records: list[dict[str, str]]) -> int:
    """A line after the first whose drug and order time no other line shares."""
    identities = Counter((r["MA_THUOC"], r["NGAY_YL"]) for r in records)
    return next(
        i for i, r in enumerate(records) if i > 0 and identities[r["MA_THUOC"], r["NGAY_YL"]] == 1
    )
