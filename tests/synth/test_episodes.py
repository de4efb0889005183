"""Synthetic episodes: realistic mix, seasonal diseases, papers, exact money, known faults."""

from __future__ import annotations

from collections import Counter

from yteso.claims import validate_episode
from yteso.synth.episodes import FAULTS, generate_episodes


def test_deterministic_and_clean() -> None:
    first = list(generate_episodes(80, seed=9))
    assert first == list(generate_episodes(80, seed=9))
    for item in first:
        assert validate_episode(item.episode, None, item.facility_code) == [], item.ma_lk
        assert all(not item.faults for item in first)


def test_mix_of_kinds_and_papers() -> None:
    items = list(generate_episodes(400, seed=3))
    kinds = Counter(i.kind for i in items)
    assert kinds["outpatient"] > kinds["inpatient"] > kinds["emergency"] > 0
    tables = Counter(d.table for i in items for d in i.episode.documents)
    assert tables["XML1"] == 400
    for paper in ("XML2", "XML3", "XML4", "XML7", "XML8", "XML13", "XML14"):
        assert tables[paper] > 0, paper


def test_seasonal_dengue_and_hand_foot_mouth() -> None:
    items = list(generate_episodes(2500, seed=5))

    def months(prefix: str) -> Counter[int]:
        return Counter(
            int(i.episode.records("XML1")[0]["NGAY_VAO"][4:6])
            for i in items
            if i.episode.records("XML1")[0]["MA_BENH_CHINH"].startswith(prefix)
        )

    dengue = months("A97")
    assert sum(dengue[m] for m in range(7, 12)) > 3 * sum(dengue[m] for m in range(1, 6))
    assert sum(months("B08.4").values()) > 0


def test_typical_episode_shape() -> None:
    item = next(generate_episodes(1, seed=1, lines=(10, 10, 5)))
    records = item.episode.records
    assert (len(records("XML2")), len(records("XML3"))) == (10, 10)
    assert len(records("XML4")) >= 3


def test_faults_are_recorded_and_found() -> None:
    items = list(generate_episodes(300, seed=6, faults=True))
    faulty = [i for i in items if i.faults]
    assert len(faulty) > 50
    assert {rule for i in faulty for rule in i.faults} == set(FAULTS)
    for item in items:
        rules = {f.rule for f in validate_episode(item.episode) if f.severity == "error"}
        assert rules == set(item.faults), item.ma_lk  # the fault's rule and no other
