"""Helpers shared by tests: which database to use, and how to see that nothing was written."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text
from sqlmodel import SQLModel

SCRIPT = Path(__file__).parent.parent / "data" / "core_script.txt"


def database_url(tmp_path: Path) -> str:
    """SQLite by default; a real PostgreSQL server when TEST_DATABASE_URL points at one."""
    return os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'bot.sqlite3'}"


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {t.name: connection.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar_one() for t in SQLModel.metadata.sorted_tables}


def truncate_all(engine) -> None:
    from bot.store.models import PLATFORM_TABLES

    with engine.begin() as connection:
        for name in [*(t.name for t in reversed(SQLModel.metadata.sorted_tables)), *PLATFORM_TABLES]:
            connection.execute(text(f'TRUNCATE "{name}" RESTART IDENTITY CASCADE'))
