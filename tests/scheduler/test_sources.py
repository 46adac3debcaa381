"""Data sources on the clock: a CSV, a JSON API behind a secret header and a SQL warehouse,
read by scheduled runs under time_machine against real local servers; each value written
once across replicas; a failing source retried and its owner told once."""

import json
import os
import threading
from datetime import datetime, timezone

import pytest
import time_machine
from sqlalchemy import create_engine, text
from sqlmodel import Session, select

from bot.connectors.secrets import SecretBox
from bot.services.transfer import export_workspace
from bot.store.models import Checkin, Send, Source
from support.data_server import DataServer
from support.scheduling import SHANGHAI, local, tick

SHEET = "Date,Revenue,Leads\n2026-11-28,81000,40\n2026-11-30,95000,52\n2026-11-29,88000,47\n"


@pytest.fixture
def data():
    server = DataServer()
    yield server
    server.stop()


@pytest.fixture
def keyed_runtime(runtime):
    """The runtime with SOURCE_SECRET_KEY set, as a deployment would have it."""
    from dataclasses import replace

    return replace(runtime, secrets=SecretBox(SecretBox.new_key()))


@pytest.fixture
def say(keyed_runtime):
    from bot.console.app import Console, ConsoleUser

    shell = Console(keyed_runtime, ConsoleUser(team="T1", name="UOWNER", language="en"))

    def run(line: str, when: datetime = local(SHANGHAI, 2026, 11, 30, 7, 0)) -> str:
        with time_machine.travel(when, tick=False):
            return shell.execute(line)

    return run


@pytest.fixture
def clock(keyed_runtime, emulator):
    from bot.config import Settings
    from bot.render.text import Renderer
    from bot.scheduler.deliver import Deliverer
    from bot.slack.posting import SlackPoster
    from bot.slack.app import web_client

    emulator.reset()
    client = web_client(Settings(slack_bot_token="xoxb-test", slack_api_url=emulator.base_url))
    return lambda instance="one": Deliverer(keyed_runtime, Renderer(keyed_runtime.catalog), SlackPoster(lambda team: client, Renderer(keyed_runtime.catalog)), instance=instance)


def checkins(engine, source: str | None = None) -> list[Checkin]:
    with Session(engine) as session:
        rows = session.exec(select(Checkin).order_by(Checkin.id)).all()
    return [row for row in rows if source is None or row.source == source]


def setup(say) -> None:
    say("/perf settings timezone=Asia/Shanghai reminders=off")
    say("/kpi add Revenue target=¥100000 weight=60% owner=<@UALICE|alice>")
    say("/kpi add Leads target=60 weight=40% owner=<@UALICE|alice>")


def test_a_csv_source_is_read_at_its_local_time_once_across_replicas(say, clock, data, engine):
    setup(say)
    url = data.serve("/sales.csv", SHEET, content_type="text/csv")
    tested = say(f"/kpi source K1 csv {url} column=Revenue date=Date test")
    assert "K1 would now record ¥95,000" in tested and "Nothing was written" in tested
    assert checkins(engine) == []
    assert "Source #1 feeds K1" in say(f"/kpi source K1 csv {url} column=Revenue date=Date at=08:30")
    tick(clock(), local(SHANGHAI, 2026, 11, 30, 8, 29))
    assert checkins(engine) == []
    replicas = [clock(f"replica-{n}") for n in range(3)]
    with time_machine.travel(local(SHANGHAI, 2026, 11, 30, 8, 30, 5), tick=False):
        threads = [threading.Thread(target=r.tick, args=(datetime.now(timezone.utc),)) for r in replicas]
        [t.start() for t in threads]
        [t.join() for t in threads]
    tick(clock(), local(SHANGHAI, 2026, 11, 30, 9, 0))
    [recorded] = checkins(engine)
    assert recorded.value == 95000 and recorded.source == "source:1"
    listed = say("/perf sources", local(SHANGHAI, 2026, 11, 30, 9, 5))
    assert "last run 2026-11-30" in listed and "¥95,000 ✓" in listed
    data.serve("/sales.csv", SHEET + "2026-12-01,99000,55\n", content_type="text/csv")
    tick(clock(), local(SHANGHAI, 2026, 12, 1, 8, 30))
    assert [c.value for c in checkins(engine)] == [95000, 99000]
    listing = say("/kpi list", local(SHANGHAI, 2026, 12, 1, 9, 0)).replace("¥", "")
    assert "K1 99,000/100,000" in listing and "Revenue · via source #1" in listing
    say("<@UALICE|alice> /checkin K1 ¥99500 counted by hand", local(SHANGHAI, 2026, 12, 1, 10, 0))  # a manual check-in still works
    digest = say("/digest now", local(SHANGHAI, 2026, 12, 1, 10, 5))
    assert "99,500/" in digest and "Revenue · via source" not in digest
    tick(clock(), local(SHANGHAI, 2026, 12, 2, 8, 30))
    assert "Revenue · via source #1" in say("/digest now", local(SHANGHAI, 2026, 12, 2, 9, 0))
    assert [c.source for c in checkins(engine)] == ["source:1", "source:1", "console", "source:1"]


def test_a_json_api_behind_a_secret_header_keeps_its_token_secret(say, clock, data, engine):
    setup(say)
    url = data.serve("/stats", json.dumps({"data": {"leads": 57}}), content_type="application/json",
                     require=("Authorization", "Bearer s3cret-token"))
    reply = say(f'/kpi source K2 json {url}?key=k3y-in-url path=$.data.leads header="Authorization: Bearer s3cret-token" hourly')
    assert "Source #1 feeds K2" in reply and "stored encrypted" in reply and "s3cret" not in reply and "k3y" not in reply
    tick(clock(), local(SHANGHAI, 2026, 11, 30, 10, 0))
    assert [c.value for c in checkins(engine)] == [57]
    listed = say("/perf sources", local(SHANGHAI, 2026, 11, 30, 10, 5))
    assert "s3cret" not in listed and "k3y" not in listed and "?…" in listed
    with Session(engine) as session:
        stored = session.exec(select(Source)).one()
        assert "s3cret" not in stored.secret + stored.settings and "k3y" not in stored.secret + stored.settings
        exported = json.dumps(export_workspace(session, "T1"))
    assert "s3cret" not in exported and "k3y" not in exported
    tick(clock(), local(SHANGHAI, 2026, 11, 30, 11, 0))  # hourly: the next hour, the next value
    assert len(checkins(engine)) == 2


def test_a_failing_source_is_retried_and_its_owner_told_once(say, clock, data, engine, emulator):
    setup(say)
    url = data.serve("/sales.csv", "Date,Revenue\n", content_type="text/csv")  # no rows yet
    say(f"/kpi source K1 csv {url} column=Revenue")
    deliverer = clock()
    tick(deliverer, local(SHANGHAI, 2026, 11, 30, 8, 0))
    tick(deliverer, local(SHANGHAI, 2026, 11, 30, 8, 5))  # a retry (after the backoff): still failing
    tick(deliverer, local(SHANGHAI, 2026, 12, 1, 8, 0))  # the next day's run: still failing
    told = emulator.history("UALICE")  # her direct messages
    assert len(told) == 1 and "The data source of K1 (Revenue) failed" in told[0]["text"]
    assert "no row has a value in `Revenue`" in told[0]["text"]
    assert checkins(engine) == []
    assert "failed: no row has a value" in say("/perf sources", local(SHANGHAI, 2026, 12, 1, 8, 10))
    with Session(engine) as session:
        attempts = [s.attempts for s in session.exec(select(Send).where(Send.kind == "source").order_by(Send.id)).all()]
    assert attempts[0] >= 2  # retried with backoff
    data.serve("/sales.csv", SHEET, content_type="text/csv")
    tick(deliverer, local(SHANGHAI, 2026, 12, 2, 8, 0))  # it works again...
    data.serve("/sales.csv", "Date,Revenue\n", content_type="text/csv")
    tick(deliverer, local(SHANGHAI, 2026, 12, 3, 8, 0))  # ...and a new failing spell is told again
    assert len(emulator.history("UALICE")) == 2


@pytest.mark.parametrize("target, problem", [
    ("http://169.254.169.254/latest/meta-data/", "may not call"),
    ("ftp://example.com/a.csv", "not a web address"),
])
def test_forbidden_addresses_are_refused(say, target, problem):
    setup(say)
    assert problem in say(f"/kpi source K1 csv {target} column=Revenue test")


def test_a_redirect_to_a_metadata_address_a_huge_or_a_slow_answer_stop_the_read(say, data, keyed_runtime):

    setup(say)
    bounce = data.serve("/bounce", "", status=302, location="http://169.254.169.254/latest/meta-data/")
    assert "may not call" in say(f"/kpi source K1 csv {bounce} column=Revenue test")
    huge = data.serve("/huge.csv", "Date,Revenue\n" + "2026-11-30,1\n" * 600_000, content_type="text/csv")
    assert "larger than" in say(f"/kpi source K1 csv {huge} column=Revenue test")
    slow = data.serve("/slow.csv", SHEET, delay=4)
    assert "no answer within 2.5 s" in say(f"/kpi source K1 csv {slow} column=Revenue test")


def test_only_owners_and_managers_link_sources_and_bad_definitions_write_nothing(say, data, engine):
    from support.db import table_counts

    setup(say)
    url = data.serve("/sales.csv", SHEET)
    before = table_counts(engine)
    assert "Only owners and managers" in say(f"<@UALICE|alice> /kpi source K1 csv {url} column=Revenue")
    assert "Please give `column=`" in say(f"/kpi source K1 csv {url}")
    assert "does not apply to a csv source" in say(f"/kpi source K1 csv {url} column=Revenue path=$.x")
    assert "only a database server" in say("/kpi source K1 sql sqlite:////etc/passwd query=\"select 1\"")
    assert "bot's own database" in say(f"/kpi source K1 sql {engine.url.render_as_string(hide_password=False)} query=\"select 1\"") \
        or engine.dialect.name == "sqlite"
    assert table_counts(engine) == before


@pytest.mark.skipif(not os.environ.get("TEST_DATABASE_URL"), reason="the SQL warehouse is a real PostgreSQL: CI's second pass runs this")
def test_a_sql_warehouse_is_read_read_only(say, clock, engine):
    server = os.environ["TEST_DATABASE_URL"].rsplit("/", 1)[0]
    admin = create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS perfbot_warehouse"))
        connection.execute(text("CREATE DATABASE perfbot_warehouse"))
    admin.dispose()
    warehouse = create_engine(f"{server}/perfbot_warehouse")
    with warehouse.begin() as connection:
        connection.execute(text("CREATE TABLE leads (id serial primary key, created date)"))
        connection.execute(text("INSERT INTO leads (created) SELECT DATE '2026-11-01' FROM generate_series(1, 57)"))
    setup(say)
    url = f"{server}/perfbot_warehouse".replace("postgresql+psycopg://", "postgresql+psycopg://")
    assert "would now record 57" in say(f'/kpi source K2 sql {url} query="select count(*) from leads" test')
    assert "read-only" in say(f'/kpi source K2 sql {url} query="delete from leads returning 1" test')
    say(f'/kpi source K2 sql {url} query="select count(*) from leads"')
    tick(clock(), local(SHANGHAI, 2026, 11, 30, 8, 0))
    assert [c.value for c in checkins(engine, "source:1")] == [57]
    with warehouse.connect() as connection:
        assert connection.execute(text("select count(*) from leads")).scalar() == 57
    warehouse.dispose()
