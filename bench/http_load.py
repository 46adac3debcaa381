"""Run 1 (and 4): slash commands over real HTTP, signed as Slack signs them.

Three gunicorn servers run side by side, each started the way production starts it:

* `bot`       — `python -m bot serve` (SCHEDULER=false) on a fresh database;
* `bare`      — `python -m bench.bare_app`: bolt with `process_before_response=True` that only
                acks, under the bot's own gunicorn class: the floor every figure is divided by;
* `bare_poll` — the same with bolt's default runner (ack polled every 10 ms), for reference.

Load: one thread per simulated connection, each with its own keep-alive `http.client`
connection to 127.0.0.1; every request is signed just before it is timed; latency is
`time.perf_counter()` around request + full response. Each (target, concurrency) phase is
warmed up first and bounded both in request count and in seconds. Rounds interleave the
targets so drift in the machine hits all of them alike.
"""

from __future__ import annotations

import http.client
import itertools
import json
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlencode, urlsplit

from bench.common import EmulatorProcess, free_port, percentile, scratch_dir, server_env, signature_headers, start_child
from bench.memory import RssSampler

EVENTS_PATH = "/slack/events"
OBJECTIVES, KRS_EACH, KPIS = 5, 4, 5
MANAGERS = 8  # people per workspace who check in and ask for the scorecard, in turn


@dataclass(frozen=True)
class Sizes:
    concurrencies: tuple[int, ...] = (1, 32)
    count: dict = field(default_factory=lambda: {1: 400, 32: 3000})  # requests per phase, at most
    seconds: dict = field(default_factory=lambda: {1: 10.0, 32: 15.0})  # and seconds per phase, at most
    warmup: dict = field(default_factory=lambda: {1: 40, 32: 200})  # >= workspaces x managers: every profile cached
    rounds: int = 2
    teams: int = 4
    reference_poll: bool = True  # also measure bolt's default (ack-polling) configuration
    slow_clients: int = 100  # connections held open with an unfinished body during the slow-client phase
    slow_requests: int = 150  # signed check-ins and /healthz calls timed with and without them


FULL = Sizes()
QUICK = Sizes(count={1: 150, 32: 800}, seconds={1: 4.0, 32: 5.0}, warmup={1: 40, 32: 64}, rounds=1, teams=2)
SMOKE = Sizes(concurrencies=(1, 4), count={1: 15, 4: 40}, seconds={1: 5.0, 4: 5.0}, warmup={1: 3, 4: 8}, rounds=1, teams=1,
              reference_poll=False, slow_clients=20, slow_requests=10)


_TRIGGERS = itertools.count(1)


def command_body(team: str, command: str, text: str, user: str = "UOWNER") -> bytes:
    form = {
        "token": "legacy", "team_id": team, "team_domain": team.lower(), "channel_id": "CBENCH", "channel_name": "bench",
        "user_id": user, "user_name": user.lower(), "command": command, "text": text, "api_app_id": "A1",
        "response_url": "http://127.0.0.1:9/unused", "trigger_id": f"trigger-bench-{next(_TRIGGERS)}",  # unique, as Slack's are
    }
    return urlencode(form).encode()


@dataclass
class Phase:
    target: str
    concurrency: int
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    wall_s: float = 0.0
    first_error: str | None = None

    def merge(self, other: Phase) -> None:
        self.latencies_ms += other.latencies_ms
        self.errors += other.errors
        self.wall_s += other.wall_s
        self.first_error = self.first_error or other.first_error

    def summary(self) -> dict:
        n = len(self.latencies_ms)
        return {
            "target": self.target, "concurrency": self.concurrency, "requests": n, "errors": self.errors,
            "p50_ms": round(percentile(self.latencies_ms, 50), 3) if n else None,
            "p99_ms": round(percentile(self.latencies_ms, 99), 3) if n else None,
            "rps": round(n / self.wall_s, 1) if self.wall_s else None,
            **({"first_error": self.first_error} if self.first_error else {}),
        }


def _connect(base: str) -> http.client.HTTPConnection:
    url = urlsplit(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=30)


def post_signed(connection: http.client.HTTPConnection, body: bytes) -> tuple[int, bytes]:
    headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}
    connection.request("POST", EVENTS_PATH, body, headers)
    answer = connection.getresponse()
    return answer.status, answer.read()


def load(base: str, target: str, make_body: Callable[[int], bytes], check: Callable[[int, bytes], bool],
         concurrency: int, count: int, seconds: float) -> Phase:
    """`count` requests (or fewer, if `seconds` run out) from `concurrency` connections at once."""
    phase = Phase(target, concurrency)
    numbers = itertools.count()
    lock = threading.Lock()
    ready = threading.Barrier(concurrency + 1)
    deadline: list[float] = []
    ends: list[float] = []

    def worker() -> None:
        connection = _connect(base)
        mine: list[float] = []
        errors, first_error = 0, None
        ready.wait()
        while True:
            i = next(numbers)
            if i >= count or time.perf_counter() >= deadline[0]:
                break
            body = make_body(i)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **signature_headers(body)}
            for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
                try:
                    start = time.perf_counter()
                    connection.request("POST", EVENTS_PATH, body, headers)
                    answer = connection.getresponse()
                    data = answer.read()
                    elapsed = time.perf_counter() - start
                    break
                except (http.client.HTTPException, OSError) as error:
                    connection.close()
                    connection = _connect(base)
                    if attempt == 2:
                        elapsed, data, answer = None, repr(error).encode(), None
            if answer is not None and answer.status == 200 and check(i, data):
                mine.append(elapsed * 1000)
            else:
                errors += 1
                first_error = first_error or f"{answer.status if answer else 'no answer'}: {data[:300]!r}"
        ends.append(time.perf_counter())
        connection.close()
        with lock:
            phase.latencies_ms.extend(mine)
            phase.errors += errors
            phase.first_error = phase.first_error or first_error

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline.append(time.perf_counter() + seconds + 3600)  # placeholder until everyone is ready
    ready.wait()
    started = time.perf_counter()
    deadline[0] = started + seconds
    for thread in threads:
        thread.join(timeout=seconds + 60)
    phase.wall_s = (max(ends) if ends else time.perf_counter()) - started
    return phase


# ---- the workload ---------------------------------------------------------------------------

class Workload:
    """Workspaces set up over HTTP with the bot's own commands, then the requests to time."""

    def __init__(self, run_id: str, teams: int) -> None:
        self.teams = [f"TB{run_id}{n:02d}" for n in range(teams)]
        self.users = [f"UMGR{n}" for n in range(MANAGERS)]
        self.krs = [(o, k) for o in range(1, OBJECTIVES + 1) for k in range(1, KRS_EACH + 1)]
        self.checkins_ok = 0
        self._lock = threading.Lock()

    def setup(self, base: str) -> int:
        """Each workspace: 5 objectives of 4 key results, 5 KPIs (weights 100%), one check-in on each,
        8 managers (who may check in on any item) besides the owner."""
        connection = _connect(base)
        sent = 0
        for team in self.teams:
            lines = ["/perf settings timezone=UTC reminders=off"]
            for o in range(1, OBJECTIVES + 1):
                lines.append(f"/okr add Objective {o} for the quarter: grow the brand in region {o}")
                lines += [f"/okr kr O{o} Key result {o}.{k} target=100" for k in range(1, KRS_EACH + 1)]
            lines += [f"/kpi add KPI {n} revenue line {n} target=50 weight=20% perspective=financial" for n in range(1, KPIS + 1)]
            lines += [f"/checkin KR{o}.{k} {o * k} on-track first" for o, k in self.krs]
            lines += [f"/checkin K{n} {n * 9}" for n in range(1, KPIS + 1)]
            lines += [f"/perf role <@{user}|{user.lower()}> manager" for user in self.users]
            for line in lines:
                command, _, text = line.partition(" ")
                status, data = post_signed(connection, command_body(team, command, text))
                reply = json.loads(data) if status == 200 else {}
                if status != 200 or reply.get("response_type") != "ephemeral" or "Sorry" in data.decode():
                    raise RuntimeError(f"setting up {team}: {line!r} answered {status} {data[:400]!r}")
                sent += 1
        connection.close()
        self.checkins_ok = len(self.teams) * (len(self.krs) + KPIS)
        return sent

    def _who(self, i: int) -> tuple[str, str]:
        """Request i's workspace and person: every (workspace, person) pair in turn."""
        return self.teams[i % len(self.teams)], self.users[(i // len(self.teams)) % len(self.users)]

    def checkin(self, i: int) -> bytes:
        team, user = self._who(i)
        o, k = self.krs[(i // (len(self.teams) * len(self.users))) % len(self.krs)]
        return command_body(team, "/checkin", f"KR{o}.{k} {i % 97 + 1} on-track bench {i}", user)

    def check_checkin(self, i: int, data: bytes) -> bool:
        ok = b"Checked in" in data and b'"ephemeral"' in data
        if ok:
            with self._lock:
                self.checkins_ok += 1
        return ok

    def scorecard(self, i: int) -> bytes:
        team, user = self._who(i)
        return command_body(team, "/scorecard", "", user)

    @staticmethod
    def check_scorecard(i: int, data: bytes) -> bool:
        return b"KPI scorecard" in data and b'"ephemeral"' in data

    @staticmethod
    def check_bare(i: int, data: bytes) -> bool:
        return True  # an empty 200: the bare app only acks


def count_checkins(database_url: str, teams: list[str]) -> int:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from bot.store.database import make_engine
    from bot.store.models import Checkin, Workspace

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return session.exec(
                select(func.count(Checkin.id)).join(Workspace, Workspace.id == Checkin.workspace_id).where(col(Workspace.team_id).in_(teams))
            ).one()
    finally:
        engine.dispose()


def prepare_database(database_url: str) -> None:
    """A server database must be migrated before `serve` (which only migrates SQLite itself)."""
    if database_url.startswith("sqlite"):
        return
    from bot.store.database import make_engine
    from bot.store.schema import upgrade

    engine = make_engine(database_url)
    try:
        upgrade(engine)
    finally:
        engine.dispose()


def _healthz(base: str, count: int) -> Phase:
    phase = Phase("healthz", 1)
    connection = _connect(base)
    started = time.perf_counter()
    for _ in range(count):
        start = time.perf_counter()
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        if answer.status == 200:
            phase.latencies_ms.append((time.perf_counter() - start) * 1000)
        else:
            phase.errors += 1
    phase.wall_s = time.perf_counter() - started
    connection.close()
    return phase


def _stalled(base: str, count: int) -> list:
    """Connections that send headers promising 100 bytes of body, then one byte, then nothing."""
    import socket

    url = urlsplit(base)
    held = []
    for _ in range(count):
        conn = socket.create_connection((url.hostname, url.port))
        conn.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bench\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\nc")
        held.append(conn)
    return held


def slow_clients(base: str, workload: Workload, sizes: Sizes, offset: int, log, kind: str) -> dict:
    """A signed check-in's and /healthz's latency alone, then with `sizes.slow_clients` connections
    holding an unfinished body open, in the same run: the ratio should stay near 1."""
    def measure() -> dict:
        check = load(base, "checkin", lambda i: workload.checkin(offset + i), workload.check_checkin, 1, sizes.slow_requests, 8.0)
        health = _healthz(base, sizes.slow_requests)
        return {"checkin": check.summary(), "healthz": health.summary()}

    measure()  # warm-up
    alone = measure()
    held = _stalled(base, sizes.slow_clients)
    try:
        crowded = measure()
    finally:
        for conn in held:
            conn.close()
    ratio = {name: round(crowded[name]["p50_ms"] / alone[name]["p50_ms"], 2) if alone[name]["p50_ms"] and crowded[name]["p50_ms"] else None
             for name in ("checkin", "healthz")}
    log(f"  [{kind}] with {sizes.slow_clients} slow clients: check-in p50 {alone['checkin']['p50_ms']} -> {crowded['checkin']['p50_ms']} ms "
        f"(x{ratio['checkin']}), /healthz p50 {alone['healthz']['p50_ms']} -> {crowded['healthz']['p50_ms']} ms (x{ratio['healthz']})")
    return {"connections": sizes.slow_clients, "alone": alone, "with_slow_clients": crowded, "ratio_p50": ratio}


def _log_problems(text: str) -> dict:
    return {"tracebacks": text.count("Traceback"), "error_lines": len(re.findall(r"\bERROR\b", text)),
            "worker_timeouts": text.count("WORKER TIMEOUT")}


def run_http(database_url: str | None, sizes: Sizes = FULL, workers: int = 1, threads: int = 8, log=print, run_id: str | None = None) -> dict:
    """Run 1 against one database (a fresh SQLite file when `database_url` is None), with run 4's sampling."""
    work_dir = scratch_dir("http")
    database_url = database_url or f"sqlite:///{work_dir / 'serve.sqlite3'}"
    kind = "postgresql" if database_url.startswith("postgres") else "sqlite"
    run_id = run_id or f"{int(time.time()) % 100000:05d}"
    prepare_database(database_url)
    emulator = EmulatorProcess()
    children, samplers, result = {}, {}, {}
    try:
        specs = {"bot": ([sys.executable, "-m", "bot", "serve"], {}),
                 "bare": ([sys.executable, "-m", "bench.bare_app"], {"BENCH_BARE_MODE": "fast"})}
        if sizes.reference_poll:
            specs["bare_poll"] = ([sys.executable, "-m", "bench.bare_app"], {"BENCH_BARE_MODE": "poll"})
        for name, (argv, extra) in specs.items():
            port = free_port()
            children[name] = start_child(name, argv, server_env(emulator.base_url, database_url, port, workers, threads, **extra), port, work_dir)
            samplers[name] = RssSampler(children[name].pid).start()
        workload = Workload(run_id, sizes.teams)
        started = time.perf_counter()
        setup_requests = workload.setup(children["bot"].base)
        log(f"  [{kind}] {len(workload.teams)} workspaces set up with {setup_requests} signed commands in {time.perf_counter() - started:.1f}s")

        plans = [("bare", "bare", workload.checkin, workload.check_bare),
                 ("checkin", "bot", workload.checkin, workload.check_checkin),
                 ("scorecard", "bot", workload.scorecard, workload.check_scorecard)]
        if sizes.reference_poll:
            plans.insert(1, ("bare_poll", "bare_poll", workload.checkin, workload.check_bare))
        phases: dict[tuple[str, int], Phase] = {}
        offsets = itertools.count(1)  # body numbers never repeat across phases
        for concurrency in sizes.concurrencies:
            for round_number in range(sizes.rounds):
                for target, server, make_body, check in plans:
                    base = children[server].base
                    offset = next(offsets) * 100_000
                    body = lambda i, make_body=make_body, offset=offset: make_body(offset + i)  # noqa: E731
                    load(base, target, body, check, concurrency, sizes.warmup[concurrency], sizes.seconds[concurrency])  # warm-up
                    phase = load(base, target, body, check, concurrency, sizes.count[concurrency], sizes.seconds[concurrency])
                    phases.setdefault((target, concurrency), Phase(target, concurrency)).merge(phase)
                    s = phase.summary()
                    log(f"  [{kind}] round {round_number + 1}/{sizes.rounds} c={concurrency:<3} {target:<10} "
                        f"n={s['requests']:<5} err={s['errors']} p50={s['p50_ms']}ms p99={s['p99_ms']}ms {s['rps']}/s")
                    if server == "bot":
                        emulator.settle()  # let the check-ins' follow-ups finish before the next phase
        slow = slow_clients(children["bot"].base, workload, sizes, next(offsets) * 100_000, log, kind)
        follow_ups = emulator.settle()
        memory = {name: sampler.stop() for name, sampler in samplers.items()}
        recorded = count_checkins(database_url, workload.teams)
        results = []
        for (target, concurrency), phase in phases.items():
            row = phase.summary()
            floor = phases.get(("bare", concurrency))
            if floor and floor.latencies_ms and phase.latencies_ms:
                row["ratio_p50"] = round(row["p50_ms"] / floor.summary()["p50_ms"], 2)
                row["ratio_p99"] = round(row["p99_ms"] / floor.summary()["p99_ms"], 2)
            results.append(row)
        result = {
            "database": kind, "workers": workers, "threads": threads, "workspaces": len(workload.teams),
            "workspace_shape": f"{OBJECTIVES} objectives x {KRS_EACH} key results, {KPIS} KPIs",
            "results": results,
            "checkins_answered_ok": workload.checkins_ok, "checkins_in_database": recorded,
            "checkins_consistent": workload.checkins_ok == recorded,
            "emulator_calls": follow_ups,
            "memory": memory,
            "slow_clients": slow,
        }
    finally:
        for sampler in samplers.values():
            sampler._stop.set()
        problems = {name: _log_problems(child.stop()) for name, child in children.items()}
        emulator.stop()
    result["server_log_problems"] = problems
    return result
