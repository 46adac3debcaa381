"""`python -m bot serve` in a subprocess, pointed at the Slack emulator: started, checked healthy, stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
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
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve exited early:\n{process.stdout.read()}")
        try:
            if requests.get(base + "/healthz", timeout=1).ok:
                return process, base
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("serve did not become healthy in time")


def stop_server(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    return output or ""


def start_socket_server(emulator: SlackEmulator, db_url: str, socket, **env_overrides: str) -> subprocess.Popen:
    """`python -m bot serve` in Socket Mode (an app-level token): it connects out to `socket`."""
    env = {
        **os.environ, "SLACK_BOT_TOKEN": "xoxb-test-token", "SLACK_APP_TOKEN": "xapp-test-token", "SLACK_API_URL": emulator.base_url,
        "DATABASE_URL": db_url, "LOG_LEVEL": "WARNING", "SCHEDULER": "false", **env_overrides,
    }
    env.pop("SLACK_SIGNING_SECRET", None)
    greeted = socket.hellos
    process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not socket.wait_connected(greeted + 1, timeout=60):
        process.kill()
        raise RuntimeError(f"serve did not connect in Socket Mode:\n{process.stdout.read()}")
    return process
