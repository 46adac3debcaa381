"""The bot as Slack meets it: `python -m bot serve` in a subprocess, a Slack emulator beside it."""

from __future__ import annotations

import itertools

import pytest

from support.db import database_url
from support.servers import start_server, start_socket_server, stop_server
from support.slack_requests import SlackSender
from support.socket_mode_emulator import SocketModeEmulator
from support.socket_requests import SocketSender

_teams = itertools.count(1)


@pytest.fixture(scope="session")
def server_db(tmp_path_factory):
    return database_url(tmp_path_factory.mktemp("serve"))


@pytest.fixture(scope="session")
def server(emulator, server_db):
    process, base = start_server(emulator, server_db, SCHEDULER="false")  # the digest tests start their own clocks
    yield base
    stop_server(process)


@pytest.fixture
def servers_on_one_database(emulator, tmp_path):
    """`start(n, **env)` starts n `serve` processes sharing one database; all stop after the test."""
    started = []

    def start(count: int, **env: str) -> tuple[str, list[str]]:
        db = database_url(tmp_path)
        for _ in range(count):
            started.append(start_server(emulator, db, **env))
        return db, [base for _, base in started[-count:]]

    yield start
    for process, _ in started:
        stop_server(process)


@pytest.fixture(scope="session")
def socket_mode(emulator):
    """Slack's Socket Mode endpoint; the Web API emulator's apps.connections.open points at it."""
    with SocketModeEmulator() as socket:
        emulator.socket_mode = socket
        yield socket
        emulator.socket_mode = None


@pytest.fixture(scope="session")
def socket_server(emulator, socket_mode, server_db):
    process = start_socket_server(emulator, server_db, socket_mode)
    yield process
    stop_server(process)


def pytest_generate_tests(metafunc):
    """A module that sets TRANSPORTS runs each of its tests over each: signed HTTP, Socket Mode."""
    if "slack" in metafunc.fixturenames and hasattr(metafunc.module, "TRANSPORTS"):
        metafunc.parametrize("slack", metafunc.module.TRANSPORTS, indirect=True)


@pytest.fixture
def slack(request, emulator):
    """A sender for a fresh workspace (a new team id per test), over HTTP unless the test asks
    for Socket Mode."""
    emulator.reset()
    team_id = f"T{next(_teams):04d}"
    if getattr(request, "param", "http") == "socket":
        request.getfixturevalue("socket_server")
        return SocketSender(request.getfixturevalue("socket_mode"), team_id)
    return SlackSender(request.getfixturevalue("server") + "/slack/events", team_id=team_id)
