"""The bot as Slack meets it: `python -m bot serve` in a subprocess, a Slack emulator beside it."""

from __future__ import annotations

import itertools

import pytest

from support.db import database_url
from support.servers import start_server, stop_server
from support.slack_requests import SlackSender

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


@pytest.fixture
def slack(server, emulator):
    """A signed-request sender for a fresh workspace (a new team id per test)."""
    emulator.reset()
    return SlackSender(server + "/slack/events", team_id=f"T{next(_teams):04d}")
