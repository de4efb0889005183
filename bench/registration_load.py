"""The simulated kiosks, the counter and the board of bench/registration.py (issue 6)."""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from yteso.core.cli_support import progress_bar
from yteso.synth.people import SynthPerson

KIOSKS = int(os.environ.get("BENCH_REGISTRATION_KIOSKS", "200"))
SECONDS = float(os.environ.get("BENCH_REGISTRATION_SECONDS", "60"))
# A patient's seconds at a kiosk (three screens); a real one takes about 30 s.
PATIENT_SECONDS = float(os.environ.get("BENCH_REGISTRATION_PATIENT_SECONDS", "30"))
THINK = PATIENT_SECONDS / 3
CALL_EVERY = 2.0
DOUBLE_SUBMIT = 0.05
REQUEST_TIMEOUT = 30.0  # a kiosk gives up on a request after this


@dataclass
class Setup:
    url: str
    kiosks: list[tuple[str, str]]  # (MA_CSKCB, kiosk bearer token)
    departments: dict[str, list[str]]
    staff_cookie: str
    people: list[SynthPerson]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    flows_ms: list[float] = field(default_factory=list)
    by_step_ms: dict[str, list[float]] = field(default_factory=dict)
    tickets: dict[int, tuple[str, str, int]] = field(default_factory=dict)  # id → number
    double_submits: int = 0
    double_answered_twice: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    board_delays_ms: list[float] = field(default_factory=list)

    def issued(self, ticket: dict[str, Any], steps_ms: dict[str, float]) -> None:
        with self.lock:
            self.flows_ms.append(sum(steps_ms.values()))
            self.tickets[ticket["id"]] = (
                ticket["facility_code"], ticket["department_code"], ticket["number"]
            )  # fmt: skip
            for name, ms in steps_ms.items():
                self.by_step_ms.setdefault(name, []).append(ms)

    def error(self, what: str) -> None:
        with self.lock:
            self.errors[what] = self.errors.get(what, 0) + 1


class Kiosk:
    """One kiosk's keep-alive connection; every call returns (server ms, answer)."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.headers = {"Content-Type": "application/json", **headers}

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, float, Any]:
        payload = json.dumps(body).encode() if body is not None else None
        self.connection.request(method, path, body=payload, headers=self.headers)
        reply = self.connection.getresponse()
        data = reply.read()
        timing = reply.getheader("server-timing", "app;dur=0")
        spent = float(timing.rsplit("=", 1)[-1])
        return reply.status, spent, json.loads(data) if data else None


def _identify_body(person: SynthPerson, rng: random.Random) -> dict[str, str]:
    roll = rng.random()
    if roll < 0.2:
        sex = "Nam" if person.sex == 1 else "Nữ"
        born = person.birth_date.strftime("%d%m%Y")
        qr = f"{person.cccd}||{person.full_name}|{born}|{sex}|{person.address_line}|01012022"
        return {"qr": qr}
    if roll < 0.5 and person.bhyt:
        return {"bhyt": person.bhyt}
    return {"cccd": person.cccd}


def _patient(
    kiosk: Kiosk,
    code: str,
    setup: Setup,
    rng: random.Random,
    tally: Tally,
    think: float = THINK,
    deadline: float = float("inf"),
) -> None:
    """One patient at the kiosk; one who would still be choosing at the deadline walks off."""
    person = setup.people[rng.randrange(len(setup.people))]
    status, identify_ms, confirm = kiosk.call(
        "POST", f"/api/kiosk/{code}/identify", _identify_body(person, rng)
    )
    if status != 200 or not confirm.get("known"):
        tally.error(f"identify {status}")
        return
    time.sleep(think)
    if time.monotonic() > deadline:
        return
    status, departments_ms, offered = kiosk.call("GET", f"/api/kiosk/{code}/departments")
    if status != 200 or not offered:
        tally.error(f"departments {status}")
        return
    time.sleep(think)
    if time.monotonic() > deadline:
        return
    body = {
        "token": confirm["token"],
        "department_code": rng.choice(offered)["code"],
        "request_id": uuid.uuid4().hex,
    }
    status, ticket_ms, ticket = kiosk.call("POST", f"/api/kiosk/{code}/tickets", body)
    if status != 200:
        tally.error(f"ticket {status}")
        return
    tally.issued(ticket, {"identify": identify_ms, "departments": departments_ms,
                          "ticket": ticket_ms})  # fmt: skip
    if rng.random() < DOUBLE_SUBMIT:
        status, _, again = kiosk.call("POST", f"/api/kiosk/{code}/tickets", body)
        with tally.lock:
            tally.double_submits += 1
            tally.double_answered_twice += status != 200 or again["id"] != ticket["id"]


def kiosk_loop(index: int, port: int, setup: Setup, deadline: float, tally: Tally) -> None:
    code, token = setup.kiosks[index % len(setup.kiosks)]
    kiosk = Kiosk(port, {"Authorization": f"Bearer {token}"})
    rng = random.Random(index)
    time.sleep(rng.random() * THINK * 3)  # kiosks do not all start on the same second
    while time.monotonic() < deadline:
        try:
            _patient(kiosk, code, setup, rng, tally, deadline=deadline)
        except (OSError, http.client.HTTPException, ValueError) as error:
            tally.error(type(error).__name__)
            kiosk = Kiosk(port, kiosk.headers)
        time.sleep(max(0.0, min(THINK, deadline - time.monotonic())))


class Board:
    """Listens to the first facility's board events; remembers when each call appeared."""

    def __init__(self, port: int, code: str) -> None:
        self.seen: dict[tuple[str, str], float] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=SECONDS + 30)
        self.connection.request("GET", f"/api/kiosk/{code}/board/events")
        self.socket = self.connection.sock
        self.reply = self.connection.getresponse()
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()

    def _listen(self) -> None:
        try:
            for raw in iter(self.reply.readline, b""):
                if raw.startswith(b"data: "):
                    arrived = time.monotonic()
                    for entry in json.loads(raw[6:]):
                        key = (entry["department_code"], entry["display_number"])
                        self.seen.setdefault(key, arrived)
        except (OSError, http.client.HTTPException):
            return

    def close(self) -> None:
        # Shutting the socket down wakes the listening thread; closing the response first
        # would wait for that thread's read to return.
        if self.socket is not None:
            self.socket.shutdown(socket.SHUT_RDWR)
        self.thread.join(timeout=5)


def counter_loop(port: int, setup: Setup, board: Board, deadline: float, tally: Tally) -> None:
    """The receptionist at the first facility calls the next patient every CALL_EVERY s."""
    code, token = setup.kiosks[0]
    counter = Kiosk(port, {"Cookie": f"yteso_session={setup.staff_cookie}"})
    queues = Kiosk(port, {"Authorization": f"Bearer {token}"})
    calls: list[tuple[str, str, float]] = []
    while time.monotonic() < deadline:
        time.sleep(CALL_EVERY)
        _, _, overview = queues.call("GET", f"/api/kiosk/{code}/departments")
        waiting = [d for d in overview or [] if d["waiting"] > 0]
        if not waiting:
            continue
        department = max(waiting, key=lambda d: d["waiting"])["code"]
        sent = time.monotonic()
        status, _, called = counter.call(
            "POST", f"/api/kiosk/{code}/counter/call-next",
            {"department_code": department, "counter": "Quầy 1"},
        )  # fmt: skip
        if status == 200:
            calls.append((department, called["display_number"], sent))
        elif status not in (204, 404, 409):
            tally.error(f"call-next {status}")
    time.sleep(1.5)
    for department, number, sent in calls:
        shown = board.seen.get((department, number))
        if shown is None:
            tally.error("call not shown on the board")
        else:
            tally.board_delays_ms.append((shown - sent) * 1000)


def warm_up(port: int, setup: Setup) -> None:
    """One patient per facility first, so first-use costs (caches, pools) are not measured."""
    rng = random.Random(-1)
    for code, token in setup.kiosks:
        kiosk = Kiosk(port, {"Authorization": f"Bearer {token}"})
        _, _, offered = kiosk.call("GET", f"/api/kiosk/{code}/departments")
        setup.departments[code] = [d["code"] for d in offered]
        _patient(kiosk, code, setup, rng, Tally(), think=0.0)


def load(port: int, setup: Setup) -> Tally:
    warm_up(port, setup)
    tally = Tally()
    deadline = time.monotonic() + SECONDS
    board = Board(port, setup.kiosks[0][0])
    threads = [
        threading.Thread(target=kiosk_loop, args=(i, port, setup, deadline, tally), daemon=True)
        for i in range(KIOSKS)
    ]
    threads.append(
        threading.Thread(target=counter_loop, args=(port, setup, board, deadline, tally))
    )
    for thread in threads:
        thread.start()
    with progress_bar() as bar:
        task = bar.add_task(f"{KIOSKS} ki-ốt lấy số", total=int(SECONDS))
        while time.monotonic() < deadline:
            time.sleep(1)
            bar.update(task, completed=int(SECONDS - max(0.0, deadline - time.monotonic())))
    drained = time.monotonic() + REQUEST_TIMEOUT + 5
    for thread in threads:
        thread.join(timeout=max(0.0, drained - time.monotonic()))
    board.close()
    return tally
