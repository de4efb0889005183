from __future__ import annotations

from collections import Counter

from yteso.core.text import fold
from yteso.synth.duplicates import MEAN_RECORDS_PER_PERSON, generate_messy_records


def test_same_seed_same_records_with_ground_truth() -> None:
    first = generate_messy_records(2000, seed=3)
    assert first == generate_messy_records(2000, seed=3)
    assert len(first) == 2000 and len({r.record_id for r in first}) == 2000
    people = Counter(r.person for r in first)
    assert 1.3 < len(first) / len(people) < MEAN_RECORDS_PER_PERSON + 0.2
    assert max(people.values()) <= 4


def test_repeat_records_carry_each_kind_of_damage() -> None:
    records = generate_messy_records(4000, seed=5)
    by_person: dict[int, list[dict[str, str]]] = {}
    for record in records:
        by_person.setdefault(record.person, []).append(record.row())
    seen: Counter[str] = Counter()
    for rows in by_person.values():
        for a in rows:
            for b in rows:
                if a is b:
                    continue
                seen["no_diacritics"] += a["full_name"] != b["full_name"] and fold(
                    a["full_name"]
                ) == fold(b["full_name"])
                seen["year_only"] += len(a["birth_date"]) == 4 < len(b["birth_date"])
                seen["missing_cccd"] += not a["cccd"] and bool(b["cccd"])
                seen["renewed_card"] += bool(a["bhyt"] and b["bhyt"]) and (
                    a["bhyt"][:3] != b["bhyt"][:3] and a["bhyt"][5:] == b["bhyt"][5:]
                )
                seen["cccd_typo"] += bool(a["cccd"] and b["cccd"]) and a["cccd"] != b["cccd"]
                seen["moved"] += a["commune_code"] != b["commune_code"]
                seen["swapped"] += (
                    a["birth_date"][5:]
                    == b["birth_date"][8:] + "-" + b["birth_date"][5:7]
                    != b["birth_date"][5:]
                )
    assert all(seen[kind] > 0 for kind in (
        "no_diacritics", "year_only", "missing_cccd", "renewed_card", "cccd_typo", "moved",
        "swapped",
    )), seen  # fmt: skip
    assert "person" not in records[0].row()
