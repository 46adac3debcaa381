"""Shared fixtures: a real database per test, and a console that speaks the command language."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # so tests can import `support.*`
sys.path.insert(1, str(Path(__file__).parent.parent))  # and the benchmark's builders (`bench.*`)

from bot.console.app import Console, ConsoleUser  # noqa: E402
from bot.domain.advisor_rules import load_rules  # noqa: E402
from bot.render.catalog import Catalog  # noqa: E402
from bot.resources import templates_dir  # noqa: E402
from bot.services.runtime import Runtime  # noqa: E402
from bot.store.database import make_engine  # noqa: E402
from bot.store.schema import upgrade  # noqa: E402
from support.db import SCRIPT, database_url, truncate_all  # noqa: E402
from support.feishu_emulator import FeishuEmulator  # noqa: E402
from support.slack_emulator import SlackEmulator  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def server_database():
    """PostgreSQL (when TEST_DATABASE_URL is set) is migrated once for the whole run."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
    return url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> Path:
    """One SQLite file migrated by Alembic, copied for each test: real migrations, no waiting."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture
def engine(tmp_path, server_database, migrated_sqlite):
    if server_database:
        engine = make_engine(server_database)
        truncate_all(engine)
    else:
        shutil.copyfile(migrated_sqlite, tmp_path / "bot.sqlite3")
        engine = make_engine(database_url(tmp_path))
    yield engine
    engine.dispose()


@pytest.fixture
def runtime(engine):
    return Runtime(engine, load_rules(), Catalog.load(templates_dir() / "i18n"))


@pytest.fixture
def console(runtime):
    """`console("/okr list")` runs one line as the workspace's first user and returns the reply."""
    shell = Console(runtime, ConsoleUser(team="T1", name="owner", language="en"))

    def run(line: str) -> str:
        reply = shell.execute(line)
        assert reply is not None
        return reply

    run.shell = shell
    return run


@pytest.fixture(scope="session")
def emulator():
    """A local Slack Web API: a real HTTP server that records calls and enforces Slack's limits."""
    with SlackEmulator(team_id="T1") as running:
        yield running


@pytest.fixture
def script_lines() -> list[str]:
    return [line for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def feishu_api():
    """A local Feishu Open API: a real HTTP server that records the cards the bot sends."""
    emulator = FeishuEmulator()
    yield emulator
    emulator.stop()


@pytest.fixture
def feishu(feishu_api):
    feishu_api.reset()
    return feishu_api
