"""Part 6: refreshing 2,000 data sources at one slot.

One workspace with 2,000 KPIs, each fed by a JSON source on a local HTTP server (the real
fetcher, with its guard and limits). One clock tick of a `Deliverer` with its delivery threads
reads them all and records each value as a check-in, exactly once. The baseline, in the same
run, records the same number of check-ins typed by hand (the same use case, no fetch): the
ratio says what reading a source costs on top of recording its value.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from sqlalchemy import func, insert
from sqlmodel import Session, select

from bench.common import model_rows, scratch_dir

SLOT = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # 08:00 in Asia/Shanghai, the sources' daily time
BUDGET_S = 120.0  # the README's budget for 2,000 sources on this 2-core machine


class _Values(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        number = int(self.path.rsplit("/", 1)[-1])
        body = json.dumps({"data": {"value": number % 90 + 10}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def populate(engine, team: str, count: int, base_url: str | None) -> int:
    """A workspace with `count` KPIs; with `base_url`, each has a JSON source (nothing secret in it)."""
    from bot.store.models import Kpi, Member, Source, Workspace

    created = SLOT - timedelta(days=1)
    with Session(engine, expire_on_commit=False) as session:
        workspace = Workspace(team_id=team, name=team, timezone="Asia/Shanghai", reminders=False, charts=False, created_at=created)
        session.add(workspace)
        session.flush()
        owner = Member(workspace_id=workspace.id, user_id="UOWNER", name="owner", role="owner", created_at=created)
        session.add(owner)
        session.flush()
        session.execute(insert(Kpi), model_rows(Kpi, [
            {"workspace_id": workspace.id, "number": n, "period": "2026-Q4", "name": f"KPI {n}", "target": Decimal(100), "unit": "",
             "weight": Decimal(1), "owner_id": owner.id, "created_at": created} for n in range(1, count + 1)]))
        if base_url:
            kpis = session.exec(select(Kpi.id, Kpi.number).where(Kpi.workspace_id == workspace.id)).all()
            session.execute(insert(Source), model_rows(Source, [
                {"workspace_id": workspace.id, "number": number, "kpi_id": kpi_id, "kind": "json", "created_by": owner.id, "created_at": created,
                 "settings": json.dumps({"kind": "json", "url": f"{base_url}/v/{number}", "path": "$.data.value", "schedule": "daily", "at": "08:00"}),
                 "secret": "plain:" + json.dumps({"url": f"{base_url}/v/{number}", "header_value": None})}
                for kpi_id, number in kpis]))
        session.commit()
        return workspace.id


def run_sources(database_url: str | None = None, count: int = 2000, threads: int = 8, log=print, run_id: str | None = None) -> dict:
    from bot.domain import commands as c
    from bot.domain.advisor_rules import load_rules
    from bot.render.catalog import Catalog
    from bot.render.text import Renderer
    from bot.resources import templates_dir
    from bot.scheduler.deliver import Deliverer
    from bot.services.checkins import record_checkin
    from bot.services.context import Actor
    from bot.services.dispatch import run_use_case
    from bot.services.runtime import Runtime
    from bot.store.database import make_engine
    from bot.store.models import Checkin, Send
    from bot.store.schema import upgrade
    from bot.domain.quantities import Quantity

    url = database_url or f"sqlite:///{scratch_dir('sources') / 'sources.sqlite3'}"
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    run_id = run_id or f"{int(time.time()) % 100000:05d}"
    engine = make_engine(url)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Values)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        upgrade(engine)
        runtime = Runtime(engine, load_rules(), Catalog.load(templates_dir() / "i18n"))
        team = f"TS{run_id}"
        workspace_id = populate(engine, team, count, f"http://127.0.0.1:{server.server_address[1]}")

        class Quiet:  # a successful run posts nothing; a failure notice would go here
            def post(self, *args, **kwargs) -> None:
                pass

            def find_post(self, *args, **kwargs) -> bool:
                return False

        deliverer = Deliverer(runtime, Renderer(runtime.catalog), Quiet(), instance="bench", threads=threads)
        started = time.perf_counter()
        deliverer.tick(SLOT + timedelta(minutes=1))
        elapsed = time.perf_counter() - started
        with Session(engine) as session:
            written = session.exec(select(func.count()).select_from(Checkin).where(Checkin.workspace_id == workspace_id)).one()
            distinct = session.exec(select(func.count(func.distinct(Checkin.kpi_id))).where(Checkin.workspace_id == workspace_id)).one()
            sent = session.exec(select(func.count()).select_from(Send).where(Send.workspace_id == workspace_id, Send.status == "sent")).one()
        deliverer.tick(SLOT + timedelta(minutes=2))  # a second tick at the same slot writes nothing more
        with Session(engine) as session:
            after_second = session.exec(select(func.count()).select_from(Checkin).where(Checkin.workspace_id == workspace_id)).one()

        baseline_team = f"TB{run_id}"
        populate(engine, baseline_team, count, None)
        actor = Actor(baseline_team, "UOWNER", "owner")
        started = time.perf_counter()
        for number in range(1, count + 1):
            run_use_case(runtime, actor, lambda ctx, n=number: record_checkin(
                ctx, c.CheckIn(c.Ref("K", n), Quantity(Decimal(n % 90 + 10), "")), source="bench"), now=SLOT + timedelta(minutes=1))
        baseline = time.perf_counter() - started
        log(f"  [{kind}] {count} sources refreshed in {elapsed:.1f} s with {threads} threads ({written} check-ins, {after_second - written} "
            f"more after a second tick); {count} typed check-ins took {baseline:.1f} s (ratio {elapsed / baseline:.2f}×)")
        return {
            "database": kind, "sources": count, "threads": threads, "seconds": round(elapsed, 2), "budget_s": BUDGET_S,
            "checkins_written": written, "items_written": distinct, "sends_sent": sent, "written_again": after_second - written,
            "baseline_typed_s": round(baseline, 2), "ratio_to_typed": round(elapsed / baseline, 2) if baseline else None,
            "all_once": written == distinct == sent == count and after_second == written,
        }
    finally:
        server.shutdown()
        engine.dispose()
