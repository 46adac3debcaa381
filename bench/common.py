"""Shared plumbing: the repository's paths, the test support modules (the Slack emulator and
request signing are imported from tests/support, never copied), ports, and child processes."""

from __future__ import annotations

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))  # so `support.slack_emulator` and `support.slack_requests` import

from support.slack_emulator import SlackEmulator  # noqa: E402
from support.slack_requests import SIGNING_SECRET, signature_headers  # noqa: E402

__all__ = ["ROOT", "SIGNING_SECRET", "SlackEmulator", "signature_headers", "free_port", "percentile", "Child",
           "EmulatorProcess", "start_child", "scratch_dir"]

BOT_TOKEN = "xoxb-bench-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(round(q / 100 * len(ordered) + 0.5))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def model_rows(model, values: list[dict]) -> list[dict]:
    """Rows for a bulk `insert(model)` with the model's defaults filled in (taken from one instance
    made through the model; every row here gives the same keys, so one is enough)."""
    if not values:
        return []
    defaults = model(**values[0]).model_dump(exclude={"id"})
    return [{**defaults, **v} for v in values]


_SCRATCH: list[Path] = []


def scratch_dir(prefix: str) -> Path:
    """A temporary folder (databases, server logs) that `remove_scratch()` deletes at the end."""
    path = Path(tempfile.mkdtemp(prefix=f"perfbot-bench-{prefix}-"))
    _SCRATCH.append(path)
    return path


def remove_scratch() -> None:
    while _SCRATCH:
        shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


class Child:
    """A child process that serves HTTP; stopped with SIGTERM (gunicorn shuts down gracefully)."""

    def __init__(self, name: str, process: subprocess.Popen, base: str, log_path: Path) -> None:
        self.name, self.process, self.base, self.log_path = name, process, base, log_path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_child(name: str, argv: list[str], env: dict[str, str], port: int, log_dir: Path, timeout: float = 60) -> Child:
    """Start `argv` (a gunicorn server) and wait until /healthz answers on `port`."""
    log_path = log_dir / f"{name}.log"
    log = open(log_path, "w")
    process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited early:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return Child(name, process, base, log_path)
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"{name} did not become healthy in {timeout}s:\n{log_path.read_text(errors='replace')}")


def server_env(emulator_url: str, database_url: str, port: int, workers: int, threads: int, **extra: str) -> dict[str, str]:
    env = {
        **os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": emulator_url,
        "DATABASE_URL": database_url, "PORT": str(port), "WEB_WORKERS": str(workers), "WEB_THREADS": str(threads),
        "SCHEDULER": "false", "LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", **extra,
    }
    for key in ("SLACK_APP_TOKEN", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"):  # single-workspace HTTP mode, like the tests
        env.pop(key, None)
    return env


class EmulatorProcess:
    """The Slack emulator (tests/support/slack_emulator.py) in a child process of its own, so
    the calls the server makes to it (users.info, views.publish after each check-in) do not
    compete for the load generator's GIL. `counts()` asks it how many calls it has recorded."""

    def __init__(self, rate_limit_per_channel: float | None = None) -> None:
        argv = [sys.executable, "-m", "bench.emulator_proc"]
        if rate_limit_per_channel:
            argv.append(str(rate_limit_per_channel))
        self.process = subprocess.Popen(argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.process.stdout.readline()
        if not line.startswith("http"):
            raise RuntimeError(f"the emulator did not start: {line!r}")
        self.base_url = line.strip()
        self._lock = threading.Lock()

    def counts(self) -> dict[str, int]:
        """{method: successful calls} plus "_failed" for refused ones."""
        with self._lock:
            self.process.stdin.write("counts\n")
            self.process.stdin.flush()
            return json.loads(self.process.stdout.readline())

    def settle(self, quiet_for: float = 0.3, timeout: float = 15) -> dict[str, int]:
        """Wait until the server's follow-ups (after the ack) have stopped reaching the emulator."""
        deadline = time.monotonic() + timeout
        last = self.counts()
        while time.monotonic() < deadline:
            time.sleep(quiet_for)
            now = self.counts()
            if now == last:
                return now
            last = now
        return last

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                self.process.stdin.write("stop\n")
                self.process.stdin.flush()
                self.process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
