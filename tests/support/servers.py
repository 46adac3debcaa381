"""`python -m bot serve` in a subprocess, pointed at the Slack emulator: started, checked healthy, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time

import requests

from support.slack_emulator import SlackEmulator
from support.slack_requests import SIGNING_SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(emulator: SlackEmulator, db_url: str, **env_overrides: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": emulator.base_url, "DATABASE_URL": db_url, "PORT": str(port), "LOG_LEVEL": "WARNING",
        **env_overrides,
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = _spawn(env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{_output(process)}")
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                return process, base
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not become healthy in time")


def _spawn(env: dict[str, str]) -> subprocess.Popen:
    """The server's output goes to a file, not a pipe nobody reads while it runs: a pipe that
    fills (64 KB of warnings) would stop the server mid-test."""
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    process.log = log  # type: ignore[attr-defined]
    return process


def _output(process: subprocess.Popen) -> str:
    log = process.log  # type: ignore[attr-defined]
    log.flush()
    log.seek(0)
    return log.read()


def stop_server(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    output = _output(process)
    process.log.close()  # type: ignore[attr-defined]
    return output


def start_socket_server(emulator: SlackEmulator, db_url: str, socket, **env_overrides: str) -> subprocess.Popen:
    """`python -m bot serve` in Socket Mode (an app-level token): it connects out to `socket`."""
    env = {
        **os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token", "SLACK_API_URL": emulator.base_url,
        "DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", "SCHEDULER": "false", **env_overrides,
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    greeted = socket.hellos
    process = _spawn(env)
    if not socket.wait_connected(greeted + 1, timeout=60):
        process.kill()
        raise RuntimeError(f"serve did not connect in Socket Mode:\n{_output(process)}")
    return process
