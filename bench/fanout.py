"""Run 3: thousands of workspaces whose weekly digest is due in the same minute.

A fresh SQLite file, migrated with `bot.store.schema.upgrade`, gets N workspaces written straight
through the models, each with a small period (one objective, two key results, one KPI, a few
check-ins) and one weekly subscription to a channel of its own, all due Monday 09:00 UTC. Then
the bot's own `Deliverer.tick(now)` runs in this process — real `SlackPoster`, the bot's
`WebClient` (with its RateLimitErrorRetryHandler) pointed at the tests' Slack emulator with
`rate_limit_per_channel=1` — tick after tick, as the clock would, until every digest is out.
Afterwards each channel must have exactly one `chat.postMessage`, and every send row be "sent".

The timed run has charts on (Workspace.charts, the default): each digest draws its chart and
uploads it with files_upload_v2. The same run without charts is timed beside it, so the cost of
the charts is read off as a ratio in the same command.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import func, insert
from sqlmodel import Session, select

from bench.common import BOT_TOKEN, SlackEmulator, model_rows, scratch_dir

NOW = datetime(2026, 11, 30, 9, 0, 5, tzinfo=timezone.utc)  # a Monday, five seconds past the digests' minute
PERIOD = "2026-Q4"


def populate(engine, count: int, charts: bool, prefix: str = "TF", now: datetime = NOW) -> list[str]:
    """`count` workspaces whose weekly digest is due at `now` (UTC); returns their channels."""
    from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Subscription, Workspace

    period = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    created = now - timedelta(days=3)
    with Session(engine) as session:
        session.execute(insert(Workspace), model_rows(Workspace, [
            {"team_id": f"{prefix}{n:05d}", "name": f"Team {n}", "timezone": "UTC", "language": "en", "reminders": False,
             "charts": charts, "created_at": created} for n in range(count)
        ]))
        workspaces = dict(session.exec(select(Workspace.team_id, Workspace.id).where(Workspace.team_id.startswith(prefix))).all())
        ids = [workspaces[f"{prefix}{n:05d}"] for n in range(count)]
        session.execute(insert(Member), model_rows(Member, [{"workspace_id": ws, "user_id": "UOWNER", "name": "owner", "role": "owner", "created_at": created} for ws in ids]))
        owners = dict(session.exec(select(Member.workspace_id, Member.id).where(Member.workspace_id.in_(ids))).all())
        session.execute(insert(Objective), model_rows(Objective, [
            {"workspace_id": ws, "number": 1, "period": period, "title": "Raise brand awareness", "owner_id": owners[ws],
             "created_by": owners[ws], "created_at": created} for ws in ids
        ]))
        objectives = dict(session.exec(select(Objective.workspace_id, Objective.id).where(Objective.workspace_id.in_(ids))).all())
        session.execute(insert(KeyResult), model_rows(KeyResult, [
            {"workspace_id": ws, "objective_id": objectives[ws], "number": k, "title": f"Key result {k}", "start": Decimal(0),
             "target": Decimal(12), "unit": "", "weight": Decimal(1), "owner_id": owners[ws], "created_at": created}
            for ws in ids for k in (1, 2)
        ]))
        session.execute(insert(Kpi), model_rows(Kpi, [
            {"workspace_id": ws, "number": 1, "period": period, "name": "Sales growth", "target": Decimal(15), "unit": "%",
             "weight": Decimal(100), "direction": "higher", "owner_id": owners[ws], "created_at": created} for ws in ids
        ]))
        krs = session.exec(select(KeyResult.workspace_id, KeyResult.id).where(KeyResult.workspace_id.in_(ids))).all()
        kpis = session.exec(select(Kpi.workspace_id, Kpi.id).where(Kpi.workspace_id.in_(ids))).all()
        rows = []
        for ws, kr in krs:
            rows += [{"workspace_id": ws, "key_result_id": kr, "value": Decimal(v), "author_id": owners[ws], "source": "bench", "note": "",
                      "created_at": now - timedelta(days=d)} for v, d in ((2, 10), (4, 2))]
        for ws, kpi in kpis:
            rows.append({"workspace_id": ws, "kpi_id": kpi, "value": Decimal(12), "author_id": owners[ws], "source": "bench", "note": "",
                         "created_at": now - timedelta(days=1)})
        session.execute(insert(Checkin), model_rows(Checkin, rows))
        channels = [f"C{prefix}{n:05d}" for n in range(count)]
        session.execute(insert(Subscription), model_rows(Subscription, [
            {"workspace_id": ws, "number": 1, "kind": "weekly", "target": channel, "weekday": now.weekday(),
             "at": f"{now.hour:02d}:{now.minute:02d}", "language": "en", "created_by": owners[ws], "created_at": created, "active": True}
            for ws, channel in zip(ids, channels)
        ]))
        session.commit()
    return channels


def _timed_poster(client, renderer):
    """The bot's SlackPoster, with the time spent inside `post` (Slack's side and the client's) added up."""
    from bot.slack.posting import SlackPoster

    class TimedPoster(SlackPoster):
        seconds = 0.0
        posts = 0

        def post(self, team_id, target, message, chart=None, key=None):
            started = time.perf_counter()
            try:
                return super().post(team_id, target, message, chart, key=key)
            finally:
                TimedPoster.seconds += time.perf_counter() - started
                TimedPoster.posts += 1

    TimedPoster.seconds, TimedPoster.posts = 0.0, 0
    return TimedPoster(lambda team_id: client, renderer), TimedPoster


def run_fanout(count: int = 2000, charts: bool = False, limit_s: float = 300.0, threads: int = 8,
               rtt_ms: float = 0.0, log=print, database_url: str | None = None) -> dict:
    """Post `count` digests due in the same minute with the bot's Deliverer posting `threads` at once
    (its DELIVERY_THREADS); `rtt_ms` adds a simulated network round trip to every Slack call.
    `database_url`: a PostgreSQL server, on which a database of this run's own is created and dropped."""
    if database_url and database_url.startswith("postgres"):
        with _fresh_postgresql(database_url) as url:
            result = _run_fanout(count, charts, limit_s, threads, rtt_ms, log, url)
        return {**result, "database": "postgresql"}
    return {**_run_fanout(count, charts, limit_s, threads, rtt_ms, log, None), "database": "sqlite"}


@contextmanager
def _fresh_postgresql(server_url: str):
    """A new, empty database on the server of `server_url`, dropped afterwards: the Deliverer reads
    every due subscription, so a shared database would mix in other runs' workspaces."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server_url)
    name = f"perfbot_fanout_{os.getpid()}_{int(time.time()) % 100000}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run_fanout(count: int, charts: bool, limit_s: float, threads: int, rtt_ms: float, log, database_url: str | None) -> dict:
    from bot.config import Settings
    from bot.render.text import Renderer
    from bot.scheduler.deliver import Deliverer
    from bot.services.runtime import Runtime
    from bot.slack.app import web_client
    from bot.store.database import make_engine
    from bot.store.models import Send
    from bot.store.schema import upgrade

    engine = make_engine(database_url or f"sqlite:///{scratch_dir('fanout') / 'fanout.sqlite3'}")
    upgrade(engine)
    started = time.perf_counter()
    channels = populate(engine, count, charts)
    populated = time.perf_counter() - started

    emulator = SlackEmulator(team_id="T0001").start()
    emulator.rate_limit_per_channel = 1
    try:
        client = web_client(Settings(slack_bot_token=BOT_TOKEN, slack_api_url=emulator.base_url))
        if rtt_ms:
            _add_round_trip(client, rtt_ms / 1000)
        from bot.render.text import Renderer as _Renderer

        poster, timed = _timed_poster(client, _Renderer())
        from bot.domain.advisor_rules import load_rules
        from bot.render.catalog import Catalog
        from bot.resources import templates_dir

        runtime = Runtime(engine, load_rules(), Catalog.load(templates_dir() / "i18n"))
        deliverer = Deliverer(runtime, Renderer(runtime.catalog), poster, instance="bench", threads=threads)
        ticks, done = 0, 0
        t0 = time.perf_counter()
        while True:
            deliverer.tick(NOW + timedelta(seconds=time.perf_counter() - t0))
            ticks += 1
            with Session(engine) as session:
                done = session.exec(select(func.count(Send.id)).where(Send.status == "sent", Send.kind == "weekly")).one()
            elapsed = time.perf_counter() - t0
            if done >= count or elapsed > limit_s:
                break
            time.sleep(1.0)  # the real clock ticks every SCHEDULER_INTERVAL_SECONDS; a second here keeps retries prompt
        with Session(engine) as session:
            statuses = Counter(session.exec(select(Send.status).where(Send.kind == "weekly")).all())
        with emulator._lock:
            calls = list(emulator.calls)
        posts = Counter(c.args.get("channel") for c in calls if c.method == "chat.postMessage" and c.ok)
        rate_limited = sum(1 for c in calls if c.method == "chat.postMessage" and c.status == 429)
        expected = set(channels)
        result = {
            "workspaces": count, "charts": charts, "deliverer": f"Deliverer({threads} thread{'s' if threads > 1 else ''})", "threads": threads,
            "simulated_rtt_ms": rtt_ms,
            "seconds_until_all_posted": round(elapsed, 2) if done >= count else None,
            "seconds_elapsed": round(elapsed, 2), "ticks": ticks,
            "posted_channels": len(set(posts) & expected), "posted_twice": sum(1 for ch in expected if posts.get(ch, 0) > 1),
            "lost": len(expected - set(posts)), "unexpected_channels": len(set(posts) - expected),
            "send_statuses": dict(statuses), "http_429": rate_limited,
            "seconds_in_slack_post": round(timed.seconds, 2), "per_digest_ms": round(elapsed / max(1, done) * 1000, 2),
            "uploads": len(emulator.uploaded_files()), "populate_s": round(populated, 1),
        }
        result["all_posted_once"] = result["posted_channels"] == count and result["posted_twice"] == 0 and result["lost"] == 0
        log(f"  fan-out {count} workspaces ({'PostgreSQL' if database_url else 'SQLite'}, {result['deliverer']}, charts {'on' if charts else 'off'}"
            f"{f', +{rtt_ms:g} ms RTT' if rtt_ms else ''}): {result['seconds_elapsed']}s, {ticks} tick(s), "
            f"posted {result['posted_channels']}, twice {result['posted_twice']}, lost {result['lost']}, 429s {rate_limited}, "
            f"{result['seconds_in_slack_post']}s inside SlackPoster.post")
        return result
    finally:
        emulator.stop()
        engine.dispose()


def _add_round_trip(client, seconds: float) -> None:
    """Simulated network distance to Slack: every Web API call waits `seconds` first (the emulator
    answers on the loopback in about a millisecond; slack.com is tens to hundreds of ms away)."""
    original = client.api_call

    def api_call(*args, **kwargs):
        time.sleep(seconds)
        return original(*args, **kwargs)

    client.api_call = api_call
