"""The patient index figures (issue 4), ours and Splink 5 (DuckDB) side by side.

- accuracy: pairwise precision, recall and F1 on generated messy records (goal on 200,000:
  F1 ≥ 0.99, precision ≥ 0.998, F1 above Splink's);
- batch: `yteso mpi dedupe` on 1,000,000 records (goal ≤ 5 min, ≤ 8 GB, faster than Splink);
- real time: `patients.match_record` against an index of 1,000,000 persons (goal p95 ≤ 20 ms).

Each system runs in its own process so its time and peak memory are its own. Sizes:
BENCH_MPI_RECORDS, BENCH_MPI_BATCH_RECORDS, BENCH_MPI_INDEX, BENCH_MPI_QUERIES.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from yteso.synth.duplicates import CSV_COLUMNS, MessyRecord, generate_messy_records

RECORDS = int(os.environ.get("BENCH_MPI_RECORDS", "200000"))
BATCH_RECORDS = int(os.environ.get("BENCH_MPI_BATCH_RECORDS", "1000000"))
INDEX = int(os.environ.get("BENCH_MPI_INDEX", "1000000"))
QUERIES = int(os.environ.get("BENCH_MPI_QUERIES", "1000"))
SEED = 42


def _write_input(path: Path, records: list[MessyRecord]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(r.row() for r in records)


def _pairs(labels: list[object]) -> int:
    return sum(n * (n - 1) // 2 for n in Counter(labels).values())


def _scores(records: list[MessyRecord], output: Path) -> dict[str, float]:
    with output.open(encoding="utf-8") as handle:
        found = {row["record_id"]: row["person_id"] for row in csv.DictReader(handle)}
    predicted = [found[r.record_id] for r in records]
    truth = [r.person for r in records]
    together = _pairs(list(zip(predicted, truth, strict=True)))
    precision = together / max(_pairs(list(predicted)), 1)
    recall = together / max(_pairs(list(truth)), 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-12)
    return {"precision": precision, "recall": recall, "f1": f1}


def _child(system: str, source: Path, target: Path) -> dict[str, float]:
    command = [sys.executable, __file__, system, str(source), str(target)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _compare(count: int, folder: Path) -> list[tuple[str, dict[str, float]]]:
    records = generate_messy_records(count, SEED)
    source = folder / f"in-{count}.csv"
    _write_input(source, records)
    rows = []
    for system in ("ours", "splink"):
        target = folder / f"out-{system}-{count}.csv"
        try:
            figures = _child(system, source, target)
        except subprocess.CalledProcessError as error:
            rows.append((system, {"error": 1.0}))
            print(f"{system} failed: {error.stderr[-2000:]}", file=sys.stderr)
            continue
        rows.append((system, {**figures, **_scores(records, target)}))
    return rows


def _row(label: str, count: int, system: str, figures: dict[str, float]) -> str:
    if "error" in figures:
        return f"| {label} | {count:,} | {system} | failed (see log) | | | | |"
    return (
        f"| {label} | {count:,} | {system} | {figures['precision']:.4f} | "
        f"{figures['recall']:.4f} | {figures['f1']:.4f} | {figures['seconds']:.1f} s | "
        f"{figures['peak_mb']:,.0f} MB |"
    )


def _realtime(folder: Path) -> list[str]:
    command = [sys.executable, __file__, "realtime", str(folder / "index.db"), str(INDEX)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        f"Real-time `match_record` against an index of {INDEX:,} persons (SQLite, "
        f"{figures['queries']:,} messy queries of indexed persons, one process): "
        f"p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms; "
        f"linked to the right person {figures['right']:.1%}, to a wrong one "
        f"{figures['wrong']:.2%}; index built in {figures['build']:.0f} s. Goal: p95 ≤ 20 ms.",
    ]


def run() -> list[str]:
    lines = [
        "## Patient index (issue 4)",
        "",
        "Generated messy records (`yteso.synth.duplicates`, seed 42); pairwise figures "
        "against the ground truth. Splink 5 (DuckDB backend) gets the same folded names, "
        "the social insurance number cut from the BHYT card and the same blocking keys.",
        "",
        "| run | records | system | precision | recall | F1 | time | peak memory |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        for label, count in (("accuracy", RECORDS), ("batch", BATCH_RECORDS)):
            if label == "batch" and count == RECORDS:
                continue
            lines += [_row(label, count, s, f) for s, f in _compare(count, folder)]
        lines += ["", *_realtime(folder), ""]
    lines.append(
        "Goals (2 cores): F1 ≥ 0.99 and precision ≥ 0.998 on 200,000 records, above Splink's; "
        "1,000,000 records ≤ 5 min and ≤ 8 GB, faster than Splink."
    )
    return [*lines, ""]


def _splink_input(source: Path, target: Path) -> None:
    """The same cleaning we do, so Splink compares like with like."""
    from yteso.patients.features import RawRecord, prepare

    with source.open(encoding="utf-8") as handle, target.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["unique_id", "family", "middle", "given", "birth_date", "birth_year",
                         "sex", "cccd", "sin", "commune", "phone"])  # fmt: skip
        for row in csv.DictReader(handle):
            r = prepare(RawRecord(**row))
            birth = r.birth
            writer.writerow([
                r.record_id, r.family or None, " ".join(r.middle) or None, r.given or None,
                birth.iso() if birth and birth.day else None, birth.year if birth else None,
                r.sex, r.cccd, r.sin, r.commune, r.phone,
            ])  # fmt: skip


def dedupe_with_splink(source: Path, target: Path) -> None:
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    cleaned = target.with_suffix(".splink-in.csv")
    _splink_input(source, cleaned)
    connection = duckdb.connect()
    connection.execute(
        f"CREATE TABLE people AS SELECT * FROM read_csv('{cleaned}', all_varchar = true)"
    )
    api = DuckDBAPI(connection)
    rules = [
        block_on("cccd"), block_on("sin"), block_on("phone"),
        block_on("family", "given", "birth_year"), block_on("family", "birth_date"),
        block_on("given", "birth_date"), block_on("family", "given", "commune"),
    ]  # fmt: skip
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=rules,
        comparisons=[
            cl.LevenshteinAtThresholds("cccd", 1), cl.ExactMatch("sin"),
            cl.NameComparison("family").configure(term_frequency_adjustments=True),
            cl.ExactMatch("middle"),
            cl.NameComparison("given").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("birth_year"), cl.ExactMatch("sex"), cl.ExactMatch("commune"),
            cl.ExactMatch("phone"),
        ],
        retain_intermediate_calculation_columns=False,
    )  # fmt: skip
    linker = Linker(api.register("people"), settings)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("cccd"), block_on("sin")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    for rule in (block_on("family", "given", "birth_year"), block_on("birth_date")):
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.95)
    relation = clusters.as_duckdbpyrelation()
    rows = relation.select("unique_id, cluster_id").fetchall()
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["record_id", "person_id"])
        writer.writerows(rows)


def measure_realtime(database: Path, index_size: int) -> dict[str, float]:
    """Build an index of generated persons, then match messy records of some of them."""
    from yteso import patients
    from yteso.core.db import make_engine, make_session_factory
    from yteso.migrations import upgrade
    from yteso.synth.people import generate_people
    from yteso.synth.seed import person_in

    url = f"sqlite:///{database}"
    upgrade(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)
    started = time.perf_counter()
    with factory() as session:
        people = (person_in(p) for p in generate_people(index_size, SEED))
        for _ in patients.bulk_add_people(session, people, is_demo=True):
            pass
        session.commit()
    build = time.perf_counter() - started
    queries = generate_messy_records(QUERIES, SEED)
    timings, right, wrong = [], 0, 0
    with factory() as session:
        for number, record in enumerate(queries):
            incoming = _source_record(record, number)
            began = time.perf_counter()
            decision = patients.match_record(session, incoming)
            timings.append((time.perf_counter() - began) * 1000)
            if decision.outcome == "link":
                right += decision.person_id == record.person + 1
                wrong += decision.person_id != record.person + 1
        session.rollback()
    engine.dispose()
    timings.sort()
    share = len(timings) / 100
    return {
        "queries": len(timings), "build": build, "right": right / len(timings),
        "wrong": wrong / len(timings), "p50": timings[int(50 * share)],
        "p95": timings[int(95 * share)], "p99": timings[min(int(99 * share), len(timings) - 1)],
    }  # fmt: skip


def _source_record(record: MessyRecord, number: int) -> Any:
    from yteso import patients

    identifiers = []
    if record.cccd:
        identifiers.append({"kind": "national_id", "value": record.cccd})
    if record.bhyt:
        identifiers.append({"kind": "insurance_number", "value": record.bhyt})
    return patients.SourceRecordIn.model_validate({
        "facility_code": "19001", "local_id": f"Q{number}", "origin": "api",
        "full_name": record.full_name, "birth_date": record.birth_date, "sex": int(record.sex),
        "identifiers": identifiers, "commune_code": record.commune_code,
        "phone": record.phone or None,
    })  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _main(argv: list[str]) -> None:
    system = argv[1]
    started = time.perf_counter()
    if system == "ours":
        from yteso.cli import app

        app(["mpi", "dedupe", argv[2], "--out", argv[3]], standalone_mode=False)
    elif system == "splink":
        dedupe_with_splink(Path(argv[2]), Path(argv[3]))
    else:
        print(json.dumps(measure_realtime(Path(argv[2]), int(argv[3]))))
        return
    print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}))


if __name__ == "__main__":
    _main(sys.argv)
