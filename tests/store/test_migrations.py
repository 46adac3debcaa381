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
    """Our tables match our models; Slack's OAuth tables match the SDK's definition of them."""
    from bot.slack.oauth_tables import oauth_metadata
    from bot.store.models import PLATFORM_TABLES

    def only(keep):
        return lambda obj, name, type_, *rest: keep((obj.table.name if type_ != "table" and hasattr(obj, "table") else name) in PLATFORM_TABLES)

    with engine.connect() as connection:
        ours = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True, "include_object": only(lambda p: not p)}),
                                SQLModel.metadata)
        slacks = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True, "include_object": only(lambda p: p)}),
                                  oauth_metadata())
    assert ours == [] and slacks == []
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


def test_migrating_to_teams_keeps_every_item_at_company_level(tmp_path):
    """A database of the release before teams: its objectives and KPIs come out of the
    migration at company level, aligned to nothing, and still list and score."""
    from sqlalchemy import text

    from bot.console.app import Console, ConsoleUser
    from bot.domain.advisor_rules import load_rules
    from bot.render.catalog import Catalog
    from bot.resources import templates_dir
    from bot.services.runtime import Runtime
    from bot.store.schema import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'before_teams.sqlite3'}")
    upgrade(engine, "0008")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO workspace (team_id, name, language, cycle, score_cap, reminder_days, reminders, reminder_at, "
                                "weekend_reminders, charts, okr_style, created_at) VALUES ('TOLD', 'Old', 'en', 'quarterly', '120', 7, 1, "
                                "'10:00', 0, 1, 'stretch', '2026-10-01 00:00:00')"))
        connection.execute(text("INSERT INTO member (workspace_id, user_id, name, role, created_at) VALUES (1, 'owner', 'owner', 'owner', "
                                "'2026-10-01 00:00:00')"))
        connection.execute(text("INSERT INTO objective (workspace_id, number, period, title, owner_id, created_by, created_at) "
                                "VALUES (1, 1, '2026-Q4', 'Grow the brand', 1, 1, '2026-10-01 00:00:00')"))
        connection.execute(text("INSERT INTO kpi (workspace_id, number, period, name, target, unit, measure, weight, direction, owner_id, "
                                "created_at) VALUES (1, 1, '2026-Q4', 'Leads', '100', '', 'increase', '100', 'higher', 1, '2026-10-01 00:00:00')"))
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT level, team_id, parent_objective_id, parent_key_result_id, align_weight FROM objective")).one() \
            == ("company", None, None, None, "1")
        assert connection.execute(text("SELECT level, team_id FROM kpi")).one() == ("company", None)
    shell = Console(Runtime(engine, load_rules(), Catalog.load(templates_dir() / "i18n")), ConsoleUser("TOLD", "owner", "en"))
    assert "Grow the brand" in shell.execute("/okr tree period=2026-Q4")
    assert "Leads" in shell.execute("/kpi list period=2026-Q4")
