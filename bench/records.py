"""The shared health record's figures (issue 3), on SQLite and on PostgreSQL.

- bulk NDJSON import (`yteso records import` path) of a synthetic store (BENCH_RECORDS_STORE
  resources, default 5,000,000: ~20 per person from yteso.synth people, seed 1);
- transaction Bundles of 100 entries over HTTP (BENCH_RECORDS_BUNDLES bundles);
- read by id with 16 concurrent connections (wrk, BENCH_RECORDS_SECONDS s);
- Observation?patient=…&code=… and Patient?identifier=… p95 on that store;
- Patient/$everything for a patient with 500 resources, p95.
The server is uvicorn running `yteso.app:create_served_app` in a subprocess (BENCH_RECORDS_WORKERS
workers, default 2 = the machine's cores), loaded from loopback. BENCH_RECORDS_DATABASES picks
the databases (sqlite,postgresql).
"""

from __future__ import annotations

import http.client
import importlib.util
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from support import database, percentile
from yteso.core.auth import ClientKind, Principal
from yteso.core.auth import service as auth
from yteso.core.cli_support import progress_bar
from yteso.core.db import make_engine, make_session_factory, unit_of_work
from yteso.migrations import upgrade
from yteso.records.access import Caller
from yteso.records.bulk import import_ndjson
from yteso.synth.people import generate_people

STORE = int(os.environ.get("BENCH_RECORDS_STORE", "5000000"))
BUNDLES = int(os.environ.get("BENCH_RECORDS_BUNDLES", "30"))
SECONDS = int(os.environ.get("BENCH_RECORDS_SECONDS", "10"))
WORKERS = int(os.environ.get("BENCH_RECORDS_WORKERS", "2"))
DATABASES = os.environ.get("BENCH_RECORDS_DATABASES", "sqlite,postgresql").split(",")
SID = "http://fhir.ehealth.gov.vn/core/sid/"
LOINC = ["8867-4", "8480-6", "8462-4", "8310-5", "29463-7", "8302-2", "2339-0", "718-7"]
ICD = ["J18.9", "I10", "E11.9", "J06.9", "K29.7", "A09", "M54.5", "N39.0"]
PER_PERSON = 20  # 1 Patient, 2 Encounters, 12 Observations, 2 Conditions, 3 MedicationRequests
BIG = "bn-everything"  # the patient with 500 resources


def _ref(kind: str, rid: str) -> dict[str, str]:
    return {"reference": f"{kind}/{rid}"}


def _patient(pid: str, person: Any) -> dict[str, Any]:
    identifiers = [{"system": SID + "national_id", "value": person.cccd}]
    if person.bhyt:
        identifiers.append({"system": SID + "insurance_number", "value": person.bhyt})
    given = [g for g in (person.middle_name, person.given_name) if g]
    return {
        "resourceType": "Patient",
        "id": pid,
        "identifier": identifiers,
        "name": [{"family": person.family_name, "given": given}],
        "gender": "male" if person.sex == 1 else "female",
        "birthDate": person.birth_date.isoformat(),
    }


def _clinical(pid: str, k: int, rng: random.Random) -> dict[str, Any]:
    day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    rid, subject = f"{pid}-{k}", _ref("Patient", pid)
    if k < 2:
        return {
            "resourceType": "Encounter",
            "id": rid,
            "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "subject": subject,
            "period": {"start": f"{day}T08:00:00+07:00", "end": f"{day}T10:00:00+07:00"},
        }
    encounter = _ref("Encounter", f"{pid}-{k % 2}")
    if k < 14:
        return {
            "resourceType": "Observation",
            "id": rid,
            "status": "final",
            "code": {"coding": [{"system": "http://loinc.org", "code": rng.choice(LOINC)}]},
            "subject": subject,
            "encounter": encounter,
            "effectiveDateTime": f"{day}T09:00:00+07:00",
            "valueQuantity": {"value": rng.randint(40, 180), "unit": "1"},
        }
    if k < 16:
        return {
            "resourceType": "Condition",
            "id": rid,
            "subject": subject,
            "code": {
                "coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": rng.choice(ICD)}]
            },
            "encounter": encounter,
            "recordedDate": day,
        }
    return {
        "resourceType": "MedicationRequest",
        "id": rid,
        "status": "active",
        "intent": "order",
        "subject": subject,
        "encounter": encounter,
        "authoredOn": day,
        "medicationCodeableConcept": {"text": "Paracetamol 500 mg"},
    }


def resources(size: int, seed: int = 1) -> Iterator[dict[str, Any]]:
    rng = random.Random(seed)
    people = generate_people(size // PER_PERSON + 1, seed)
    big = next(people)
    yield _patient(BIG, big)
    for k in range(499):
        yield _clinical(BIG, k % PER_PERSON, rng) | {"id": f"{BIG}-{k}"}
    for index, person in enumerate(people):
        if (index + 1) * PER_PERSON + 500 > size:
            return
        pid = f"bn-{index}"
        yield _patient(pid, person)
        for k in range(PER_PERSON - 1):
            yield _clinical(pid, k, rng)


def write_ndjson(path: Path, size: int) -> int:
    count = 0
    with path.open("wb") as out:
        for resource in resources(size):
            out.write(orjson.dumps(resource) + b"\n")
            count += 1
    return count


def load(url: str, path: Path, count: int) -> tuple[float, str]:
    """Import the file; returns seconds and a bearer token of a HIS client."""
    engine = make_engine(url)
    principal = Principal("client", "bench", "bench", ClientKind.HIS, "19001")
    caller = Caller(principal, None, None, "urn:yteso:import:bench")
    with unit_of_work(make_session_factory(engine)) as session:
        client, secret = auth.create_client(session, "bench HIS", "his", "19001")
        token = auth.issue_token(session, client.client_id, secret, 600)
    with progress_bar() as bar, path.open("rb") as source:
        task = bar.add_task(f"Nhập {count:,} tài nguyên", total=count)
        started = time.perf_counter()
        with unit_of_work(make_session_factory(engine)) as session:
            import_ndjson(
                session, caller, source, 5000, lambda n: bar.advance(task, n), processes=1
            )
        seconds = time.perf_counter() - started
    if url.startswith("postgresql"):
        with engine.connect() as connection:
            connection.exec_driver_sql("COMMIT")
            connection.exec_driver_sql("ANALYZE")
    engine.dispose()
    return seconds, token


def serve(port: int, workers: int) -> None:
    """uvicorn on a listening socket made here. uvicorn's own socket for several workers is
    created without IPPROTO_TCP, so asyncio's loop leaves Nagle on and every keep-alive
    response waits ~40 ms for the client's delayed ACK (uvloop sets TCP_NODELAY anyway)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "yteso.app:create_served_app",
        factory=True,
        workers=workers,
        access_log=False,
        log_level="warning",
    )
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.set_inheritable(True)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        uvicorn.Server(config).run(sockets=[sock])


@contextmanager
def server(url: str) -> Iterator[int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "YTESO_DATABASE_URL": url, "YTESO_LOG_LEVEL": "WARNING"}
    command = [sys.executable, __file__, "serve", str(port), str(WORKERS)]
    process = subprocess.Popen(command, env=env)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(1)  # every worker listening
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def http_stack() -> str:
    """What uvicorn picks: uvloop and httptools when installed, else asyncio and h11."""
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"{loop}/{http}"


def timed_gets(port: int, token: str, paths: list[str]) -> list[float]:
    """Milliseconds per request, one keep-alive connection, after a short warm-up."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}"}
    times = []
    for index, path in enumerate(paths[:20] + paths):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        reply = connection.getresponse()
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"{path}: {reply.status}")
        if index >= 20:
            times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


def transactions(port: int, token: str) -> float:
    """Resources per second through transaction Bundles of 100 entries (1 Patient + 99)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/fhir+json"}
    rng, people = random.Random(7), generate_people(BUNDLES, 99)
    bodies = []
    for index, person in enumerate(people):
        urn = f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"
        patient = _patient("x", person)
        del patient["id"]
        entries = [
            {"fullUrl": urn, "resource": patient, "request": {"method": "POST", "url": "Patient"}}
        ]
        for k in range(99):
            resource = _clinical("x", 2 + k % 12, rng)
            resource.pop("id")
            resource.pop("encounter", None)
            resource["subject"] = {"reference": urn}
            entries.append(
                {
                    "resource": resource,
                    "request": {"method": "POST", "url": resource["resourceType"]},
                }
            )
        bodies.append(
            orjson.dumps(
                {
                    "resourceType": "Bundle",
                    "id": str(index),
                    "type": "transaction",
                    "entry": entries,
                }
            )
        )
    started = time.perf_counter()
    for body in bodies:
        connection.request("POST", "/fhir", body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
        if reply.status != 200:
            raise RuntimeError(f"transaction: {reply.status}")
    return len(bodies) * 100 / (time.perf_counter() - started)


def wrk_read(port: int, token: str, ids: list[str], folder: Path) -> str:
    """Requests per second and latency percentiles (wrk reports no p95 by itself)."""
    script = folder / "read.lua"
    paths = ",".join(f'"/fhir/Patient/{i}"' for i in ids)
    script.write_text(
        f"paths = {{{paths}}}\nwrk.headers['Authorization'] = 'Bearer {token}'\n"
        "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
        "done = function(summary, latency, requests)\n"
        "  for _, p in ipairs({50, 95, 99}) do\n"
        "    io.write(string.format('p%d %.1f\\n', p, latency:percentile(p) / 1000))\n"
        "  end\n"
        "  local failed = summary.errors.status + summary.errors.timeout\n"
        "  io.write(string.format('errors %d\\n', failed))\n"
        "end\n"
    )
    command = ["wrk", "-t2", "-c16", "-s", str(script), f"http://127.0.0.1:{port}"]
    subprocess.run([*command[:1], "-d2s", *command[1:]], capture_output=True, check=True)  # warm
    output = subprocess.run(
        [*command[:1], f"-d{SECONDS}s", *command[1:]], capture_output=True, text=True, check=True
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    found = dict(re.findall(r"^(p\d+|errors) (\S+)$", output, re.MULTILINE))
    return (
        f"{rate:,.0f} req/s, p50 {found['p50']} ms, p95 {found['p95']} ms, "
        f"p99 {found['p99']} ms, {found['errors']} errors"
    )


def _latencies(port: int, token: str, url: str, patients: list[str], count: int) -> list[Row]:
    rng = random.Random(5)
    obs = [
        f"/fhir/Observation?patient={p}&code=http://loinc.org|{rng.choice(LOINC)}" for p in patients
    ]
    rows = []
    for label, paths, goal in (
        ("Observation?patient=…&code=…", obs, "p95 ≤ 20 ms"),
        ("Patient?identifier=…", _identifiers(url, patients), "p95 ≤ 20 ms"),
        (
            "Patient/$everything (500 resources)",
            [f"/fhir/Patient/{BIG}/$everything"] * 100,
            "p95 ≤ 60 ms",
        ),
    ):
        times = timed_gets(port, token, paths)
        result = f"p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms"
        rows.append((label, f"{len(times)} requests, store of {count:,}", result, goal))
    return rows


Row = tuple[str, str, str, str]


def _settle(url: str) -> None:
    """Latencies are measured on a store at rest: on PostgreSQL the import's gigabytes of
    dirty pages are written out first (CHECKPOINT) instead of during the measurements, where
    they slowed each commit's WAL flush (read-by-id p99 15-50 ms from run to run)."""
    if not url.startswith("postgresql"):
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("CHECKPOINT")
    engine.dispose()


def bench_database(kind: str, folder: Path, path: Path, count: int) -> list[str]:
    with database(kind, folder, "records") as url:
        upgrade(url)
        seconds, token = load(url, path, count)
        rows: list[Row] = [
            (
                "bulk NDJSON import",
                f"{count:,} resources",
                f"{count / seconds:,.0f} resources/s",
                "≥ 10,000/s SQLite, ≥ 5,000/s PostgreSQL",
            )
        ]
        _settle(url)
        rng = random.Random(3)
        people = max(1, (count - 500) // PER_PERSON - 1)
        patients = [f"bn-{rng.randrange(people)}" for _ in range(200)]
        with server(url) as port:
            rows += _latencies(port, token, url, patients, count)
            rows.append(
                (
                    "read by id, 16 connections (wrk)",
                    f"{SECONDS} s",
                    wrk_read(port, token, patients, folder),
                    "≥ 1,500 req/s, p99 ≤ 20 ms",
                )
            )
            rate = transactions(port, token)
            rows.append(
                (
                    "transaction Bundles of 100 entries",
                    f"{BUNDLES} bundles",
                    f"{rate:,.0f} resources/s",
                    "≥ 3,000 resources/s",
                )
            )
    return [f"| {kind} | {' | '.join(row)} |" for row in rows]


def _identifiers(url: str, patients: list[str]) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT r.res_id, t.code FROM fhir_token_index t "
            "JOIN fhir_resources r ON r.serial = t.serial WHERE t.res_type = 'Patient' "
            "AND t.param = 'identifier' AND t.system = 'http://fhir.ehealth.gov.vn/core/sid/"
            "national_id'"
        ).fetchall()
    engine.dispose()
    by_patient = dict(rows)
    return [
        f"/fhir/Patient?identifier={SID}national_id|{by_patient[p]}"
        for p in patients
        if p in by_patient
    ]


def run() -> list[str]:
    lines = [
        "## Shared health record (issue 3)",
        "",
        f"Server: uvicorn ({http_stack()}), {WORKERS} worker(s), client on loopback; each "
        "read, search and write includes the bearer-token check and its audit event.",
        "",
        "| database | measured | size | result | goal |",
        "|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        path = folder / "store.ndjson"
        count = write_ndjson(path, STORE)
        for kind in DATABASES:
            lines += bench_database(kind.strip(), folder, path, count)
    return [*lines, ""]


if __name__ == "__main__" and sys.argv[1:2] == ["serve"]:
    serve(int(sys.argv[2]), int(sys.argv[3]))
