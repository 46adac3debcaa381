"""The migrations and the models agree, `serve` refuses a database that is behind, and the
embedded SQLite database migrates itself."""

import os
import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from bot.store.database import make_engine
from bot.store.schema import current_revision, head_revision


def test_the_models_and_the_migrations_agree(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), SQLModel.metadata)
    assert differences == []
    assert current_revision(engine) == head_revision()


def run_bot(*args, **env):
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60, input="/perf help\n",
                          env={**os.environ, **env})


def test_serve_refuses_a_database_that_is_behind_and_db_upgrade_fixes_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    env = dict(DATABASE_URL=url, AUTO_MIGRATE="false", SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s", PORT="1")
    refused = run_bot("serve", **env)
    assert refused.returncode == 2 and "python -m bot db upgrade" in refused.stderr
    upgraded = run_bot("db", "upgrade", **env)
    assert upgraded.returncode == 0 and head_revision() in upgraded.stdout
    assert current_revision(make_engine(url)) == head_revision()


def test_the_embedded_database_migrates_itself_on_first_use(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    done = run_bot("console", DATABASE_URL=url)
    assert done.returncode == 0 and "/okr add" in done.stdout
    assert current_revision(make_engine(url)) == head_revision()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(engine):
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL: no fsync per commit under WAL
