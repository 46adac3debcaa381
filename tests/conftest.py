"""Shared fixtures: a real database per test, and a console that speaks the command language."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.console.app import Console, ConsoleUser
from bot.store.database import make_engine

sys.path.insert(0, str(Path(__file__).parent))  # so tests can import `support.*`

SCRIPT = Path(__file__).parent / "data" / "core_script.txt"


def database_url(tmp_path: Path) -> str:
    """SQLite by default; a real PostgreSQL server when TEST_DATABASE_URL points at one."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'bot.sqlite3'}"


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(database_url(tmp_path))
    yield engine
    if engine.dialect.name == "postgresql":
        from sqlmodel import SQLModel

        with engine.begin() as connection:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(text(f'TRUNCATE "{table.name}" RESTART IDENTITY CASCADE'))
    engine.dispose()


@pytest.fixture
def console(engine):
    """`console("/okr list")` runs one line as the workspace's first user and returns the reply."""
    shell = Console(engine, ConsoleUser(team="T1", name="owner", language="en"))

    def run(line: str) -> str:
        reply = shell.execute(line)
        assert reply is not None
        return reply

    run.shell = shell
    return run


@pytest.fixture
def script_lines() -> list[str]:
    return [line for line in SCRIPT.read_text(encoding="utf-8").splitlines() if line.strip()]


def table_counts(engine) -> dict[str, int]:
    from sqlmodel import SQLModel

    with engine.connect() as connection:
        return {t.name: connection.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar_one() for t in SQLModel.metadata.sorted_tables}
