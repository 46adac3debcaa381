"""The database schema, by Alembic migrations: `python -m bot db upgrade` brings a database
to the code's version; `serve` refuses one that is behind. The embedded SQLite database
migrates itself on first use, so the console just works."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaBehind(Exception):
    """The database is older than the code: someone must run `python -m bot db upgrade`."""


def alembic_config(engine: Engine, connection=None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        command.upgrade(alembic_config(engine, connection), revision)


def ensure_current(engine: Engine, auto_upgrade: bool) -> None:
    if current_revision(engine) == head_revision():
        return
    if not auto_upgrade:
        raise SchemaBehind(
            f"the database is at revision {current_revision(engine) or 'none'}, the code needs {head_revision()}: "
            "run `python -m bot db upgrade` first"
        )
    try:
        upgrade(engine)
    except Exception:
        if current_revision(engine) != head_revision():  # not just another process migrating first
            raise
