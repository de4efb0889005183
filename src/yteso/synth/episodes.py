"""Synthetic QĐ 130 episodes from the synthetic province: outpatient, inpatient, emergency.

Diagnoses follow rough provincial frequencies, with dengue (A97.x, July–November) and
hand-foot-mouth disease (B08.4, young children, spring and autumn) seasonal. Every amount
is computed with the annex's formulas (claims.split, claims.cents), so the money adds up
exactly. `faults=True` breaks about a third of the episodes with one known error each and
records the rule the validator must report.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from yteso.claims import ClaimDocument, Episode, Record, new_envelope, write_envelope
from yteso.claims.formats import parse_date
from yteso.synth.episode_catalogue import DIAGNOSES, YEAR, Diagnosis
from yteso.synth.episode_lines import Visit, build_lines, line_totals, money_text
from yteso.synth.episode_papers import paper_documents, summary_record
from yteso.synth.facilities import SynthFacility, generate_facilities
from yteso.synth.people import SynthPerson, generate_people

KINDS = (("outpatient", 70), ("inpatient", 20), ("emergency", 10))
FAULT_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class GeneratedEpisode:
    facility_code: str
    ma_lk: str
    kind: str
    episode: Episode
    faults: tuple[str, ...]  # rule codes the validator must report; empty when clean


def _age(person: SynthPerson, on: date) -> int:
    return (on - person.birth_date).days // 365


def _pick_diagnosis(rng: random.Random, person: SynthPerson, kind: str, when: date) -> Diagnosis:
    age, letter = _age(person, when), kind[0]
    fitting = [
        d
        for d in DIAGNOSES
        if letter in d.kinds
        and d.min_age <= age <= d.max_age
        and not (d.female_only and person.sex != 2)
    ]
    weights = [
        d.weight * (6 if when.month in d.season else 0.3 if d.season else 1) for d in fitting
    ]
    return rng.choices(fitting, weights)[0] if fitting else DIAGNOSES[0]


def _visit(
    rng: random.Random,
    person: SynthPerson,
    facility: SynthFacility,
    kind: str,
    ma_lk: str,
    start: datetime,
) -> Visit:
    diagnosis = _pick_diagnosis(rng, person, kind, start.date())
    stay = (
        timedelta(hours=rng.randint(1, 3))
        if kind == "outpatient"
        else timedelta(days=rng.randint(2, 8), hours=rng.randint(0, 6))
    )
    department = facility.departments[0][0] if facility.departments else "K01"
    benefit = person.bhyt_benefit_level or 0
    return Visit(ma_lk, person, facility, start, start + stay, benefit, department, diagnosis)


def build_episode(
    rng: random.Random,
    person: SynthPerson,
    facility: SynthFacility,
    kind: str,
    ma_lk: str,
    start: datetime,
    lines: tuple[int, int, int] | None = None,
) -> Episode:
    """One clean episode; `lines` = (drugs, services, labs) or None for the kind's usual."""
    visit = _visit(rng, person, facility, kind, ma_lk, start)
    end = visit.end
    drugs, services, labs = lines or (
        (rng.randint(1, 5), 2, rng.randint(0, 2))
        if kind == "outpatient"
        else (rng.randint(5, 12), 6, 3)
    )
    drug_lines, service_lines, results = build_lines(rng, visit, kind, drugs, services, labs)
    exit_code = "2" if kind != "outpatient" and rng.random() < 0.08 else "1"
    follow_up = (
        (end + timedelta(days=rng.choice((7, 14, 30)))).date()
        if rng.random() < 0.3 and exit_code == "1"
        else None
    )
    summary = summary_record(
        visit, kind, exit_code, follow_up, line_totals(drug_lines, service_lines)
    )
    documents = [
        ClaimDocument("XML1", [summary]),
        ClaimDocument("XML2", drug_lines),
        ClaimDocument("XML3", service_lines),
    ]
    if results:
        documents.append(ClaimDocument("XML4", results))
    return Episode(documents + paper_documents(visit, summary, follow_up))


def _bump(record: Record, name: str, by: str) -> None:
    record[name] = money_text(Decimal(record[name]) + Decimal(by))


def _set(table: str, name: str, value: str) -> Callable[[Episode], None]:
    def apply(episode: Episode) -> None:
        episode.records(table)[0][name] = value

    return apply


def _total_off(episode: Episode) -> None:
    _bump(episode.records("XML1")[0], "T_TONGCHI_BV", "1000")


def _line_off(episode: Episode) -> None:
    # The price, not an amount: the line no longer adds up, the totals of the lines still do.
    _bump(episode.records("XML2")[0], "DON_GIA", "1")


def _paid_before(episode: Episode) -> None:
    summary = episode.records("XML1")[0]
    summary["NGAY_TTOAN"] = summary["NGAY_VAO"][:8] + "0000"


def _stt_gap(episode: Episode) -> None:
    episode.records("XML2")[-1]["STT"] = "99"


# rule code the validator must report → how to break a clean episode that way
FAULTS: dict[str, Callable[[Episode], None]] = {
    "MONEY_TOTAL": _total_off,
    "MONEY_LINE": _line_off,
    "ICD_UNKNOWN": _set("XML1", "MA_BENH_CHINH", "U99.9"),
    "DATE_ORDER": _paid_before,
    "REQUIRED": _set("XML1", "HO_TEN", ""),
    "DATETIME_FORMAT": _set("XML1", "NGAY_RA", "2025-13-01"),
    "STT_SEQUENCE": _stt_gap,
    "MA_LK_MISMATCH": _set("XML3", "MA_LK", "KHAC"),
    "CODE_LIST": _set("XML1", "GIOI_TINH", "4"),
    "CCCD_FORMAT": _set("XML1", "SO_CCCD", "12345"),
}


def _start(rng: random.Random, born: date) -> datetime:
    """A visit in YEAR, not before the person was born."""
    first = max(date(YEAR, 1, 1), born)
    day = first + timedelta(days=rng.randrange((date(YEAR, 12, 31) - first).days + 1))
    return datetime(day.year, day.month, day.day, rng.randint(7, 16), rng.randrange(60))


def generate_episodes(
    count: int, seed: int, faults: bool = False, lines: tuple[int, int, int] | None = None
) -> Iterator[GeneratedEpisode]:
    """`count` episodes from the synthetic population of seed `seed`, deterministic."""
    rng = random.Random(seed)
    people = list(generate_people(max(50, count // 2), seed=seed))
    places = [f for f in generate_facilities(seed) if f.kind.value != "preventive_centre"]
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    for index in range(count):
        facility, person = rng.choice(places), rng.choice(people)
        while person.birth_date.year > YEAR:
            person = rng.choice(people)
        kind = rng.choices(kinds, weights)[0]
        ma_lk = f"{facility.code}{seed % 1000:03d}{index:08d}"
        start = _start(rng, person.birth_date)
        episode = build_episode(rng, person, facility, kind, ma_lk, start, lines)
        injected: tuple[str, ...] = ()
        if faults and rng.random() < FAULT_SHARE:
            rule = rng.choice(sorted(FAULTS))
            FAULTS[rule](episode)
            injected = (rule,)
        yield GeneratedEpisode(facility.code, ma_lk, kind, episode, injected)


def write_episodes(episodes: Iterator[GeneratedEpisode], out: Path) -> int:
    """One envelope file per episode (as HIS send them) and faults.json: file → rules."""
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, list[str]] = {}
    written = 0
    for item in episodes:
        # Made the day the episode ended; a fault may have broken NGAY_RA, not the envelope.
        ended = item.episode.records("XML1")[0]["NGAY_RA"][:8]
        created = ended if parse_date(ended) else f"{YEAR}1231"
        name = f"{item.facility_code}_{item.ma_lk}.xml"
        envelope = new_envelope(item.facility_code, created, [item.episode])
        (out / name).write_bytes(write_envelope(envelope))
        if item.faults:
            manifest[name] = list(item.faults)
        written += 1
    (out / "faults.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return written
