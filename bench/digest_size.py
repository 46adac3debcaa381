"""Run 2: assembling the weekly digest of a large workspace, and of one a tenth of its size.

Both workspaces are written straight through the models (like tests/store/test_digest_queries.py,
but with bulk inserts so 100,000 check-ins take seconds) into a fresh, migrated SQLite file — or
into the PostgreSQL database given, under team ids of their own. Then `build_digest` (the
scheduler's and `/digest now`'s entry: `digest_inputs` plus the pure assembly) is timed, and
every SQL statement it sends is counted with SQLAlchemy's `before_cursor_execute` event.
Rendering the message is timed apart, for reference.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import event, insert
from sqlmodel import Session, select

from bench.common import model_rows, scratch_dir

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)  # 2026-Q4, 55 days in
PERIOD = "2026-Q4"
PERIOD_START = datetime(2026, 10, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class Shape:
    objectives: int
    krs_each: int
    kpis: int
    checkins: int
    members: int

    def scaled(self, factor: int) -> Shape:
        return Shape(self.objectives // factor, self.krs_each, self.kpis // factor, self.checkins // factor, max(2, self.members // factor))

    def describe(self) -> dict:
        return {"objectives": self.objectives, "key_results": self.objectives * self.krs_each, "kpis": self.kpis,
                "checkins": self.checkins, "members": self.members}


TEAMS = 20  # the large workspace is then split into this many teams
LARGE = Shape(objectives=200, krs_each=5, kpis=200, checkins=100_000, members=40)
SMOKE = Shape(objectives=10, krs_each=5, kpis=10, checkins=2_000, members=4)


def populate(engine, team: str, shape: Shape) -> int:
    """One workspace of `shape`; check-ins spread evenly over items and over the period so far."""
    from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Workspace

    with Session(engine, expire_on_commit=False) as session:
        workspace = Workspace(team_id=team, name=team, timezone="UTC", reminders=False, charts=False)
        session.add(workspace)
        session.flush()
        ws = workspace.id
        session.execute(insert(Member), model_rows(Member, [
            {"workspace_id": ws, "user_id": f"U{n:04d}", "name": f"person{n}", "role": "owner" if n == 0 else "member", "created_at": PERIOD_START}
            for n in range(shape.members)
        ]))
        members = list(session.exec(select(Member.id).where(Member.workspace_id == ws).order_by(Member.id)).all())
        session.execute(insert(Objective), model_rows(Objective, [
            {"workspace_id": ws, "number": o, "period": PERIOD, "title": f"Objective {o}: grow the brand in region {o}",
             "owner_id": members[o % len(members)], "created_by": members[0], "created_at": PERIOD_START}
            for o in range(1, shape.objectives + 1)
        ]))
        objectives = dict(session.exec(select(Objective.number, Objective.id).where(Objective.workspace_id == ws)).all())
        session.execute(insert(KeyResult), model_rows(KeyResult, [
            {"workspace_id": ws, "objective_id": objectives[o], "number": k, "title": f"Key result {o}.{k}", "start": Decimal(0),
             "target": Decimal(100), "unit": "", "weight": Decimal(1), "owner_id": members[(o * 7 + k) % len(members)], "created_at": PERIOD_START}
            for o in range(1, shape.objectives + 1) for k in range(1, shape.krs_each + 1)
        ]))
        krs = list(session.exec(select(KeyResult.id).where(KeyResult.workspace_id == ws).order_by(KeyResult.id)).all())
        session.execute(insert(Kpi), model_rows(Kpi, [
            {"workspace_id": ws, "number": n, "period": PERIOD, "name": f"KPI {n}", "target": Decimal(50), "unit": "",
             "weight": Decimal(100) / Decimal(max(1, shape.kpis // max(1, shape.members))), "direction": "higher" if n % 4 else "lower",
             "perspective": ("financial", "customer", "process", "learning")[n % 4], "owner_id": members[n % len(members)], "created_at": PERIOD_START}
            for n in range(1, shape.kpis + 1)
        ]))
        kpis = list(session.exec(select(Kpi.id).where(Kpi.workspace_id == ws).order_by(Kpi.id)).all())
        items = [("kr", i) for i in krs] + [("kpi", i) for i in kpis]
        per_item = -(-shape.checkins // len(items))
        span = (NOW - PERIOD_START).total_seconds()
        batch: list[dict] = []
        for j in range(shape.checkins):
            kind, item = items[j % len(items)]
            step = j // len(items)  # the item's step-th check-in, oldest first
            at = PERIOD_START + timedelta(seconds=span * (step + 1) / (per_item + 1) + (j % 600))
            batch.append({"workspace_id": ws, "key_result_id": item if kind == "kr" else None, "kpi_id": item if kind == "kpi" else None,
                          "value": Decimal(min(100, step * 100 // per_item + j % 3)), "confidence": ("on-track", "at-risk", None)[j % 3],
                          "note": "", "author_id": members[j % len(members)], "source": "bench", "created_at": at})
            if len(batch) == 5000:
                _insert_values(session, Checkin, batch)
                batch = []
        if batch:
            _insert_values(session, Checkin, batch)
        session.commit()
    with engine.connect() as connection:
        # Statistics, as a database that gathered these check-ins over a quarter has them
        # (PostgreSQL's autovacuum analyses after bulk changes); without them a planner
        # guesses that the freshly loaded workspace holds no rows.
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return ws


def add_teams(engine, workspace_id: int, teams: int) -> int:
    """Split the workspace into `teams` teams: members round-robin, each lead the team's first;
    four objectives in five become team objectives, each aligned to a key result of a company
    objective (a two-level tree). Returns the first team's id."""
    from sqlalchemy import update

    from bot.store.models import KeyResult, Member, Objective, Team, TeamMember

    with Session(engine, expire_on_commit=False) as session:
        members = list(session.exec(select(Member.id).where(Member.workspace_id == workspace_id).order_by(Member.id)).all())
        session.execute(insert(Team), model_rows(Team, [
            {"workspace_id": workspace_id, "name": f"Team {t}", "name_key": f"team {t}", "lead_id": members[t % len(members)],
             "created_at": PERIOD_START} for t in range(teams)
        ]))
        team_ids = list(session.exec(select(Team.id).where(Team.workspace_id == workspace_id).order_by(Team.id)).all())
        session.execute(insert(TeamMember), model_rows(TeamMember, [
            {"workspace_id": workspace_id, "team_id": team_ids[n % teams], "member_id": member, "from_group": False}
            for n, member in enumerate(members)
        ]))
        objectives = list(session.exec(select(Objective.id).where(Objective.workspace_id == workspace_id).order_by(Objective.number)).all())
        company = objectives[::5]
        first_kr = dict(session.exec(select(KeyResult.objective_id, KeyResult.id).where(
            KeyResult.workspace_id == workspace_id, KeyResult.number == 1)).all())
        placed = 0
        for n, objective_id in enumerate(objectives):
            if objective_id in company:
                continue
            parent = first_kr[company[(n // 5) % len(company)]]
            session.execute(update(Objective).where(Objective.id == objective_id).values(
                level="team", team_id=team_ids[placed % teams], parent_key_result_id=parent))
            placed += 1
        session.commit()
    return team_ids[0]


def _insert_values(session, model, values: list[dict]) -> None:
    session.execute(insert(model), model_rows(model, values))


def measure(engine, workspace_id: int, repeats: int, team_id: int | None = None) -> dict:
    from bot.render.text import Renderer
    from bot.services.digests import build_digest
    from bot.store.models import Workspace

    statements: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        statements.append(statement)

    renderer = Renderer()
    timings, render_timings = [], []
    counts = set()
    for attempt in range(repeats + 1):  # the first is a warm-up (statement cache, imports)
        with Session(engine, expire_on_commit=False) as session:
            workspace = session.get(Workspace, workspace_id)
            statements.clear()
            event.listen(engine, "before_cursor_execute", count)
            try:
                started = time.perf_counter()
                ready = build_digest(session, workspace, NOW, team_id=team_id)
                elapsed = time.perf_counter() - started
            finally:
                event.remove(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        text = renderer.render("replies/digest_ready.j2", "en", "mrkdwn", r=ready)
        rendered = time.perf_counter() - started
        if attempt:
            timings.append(elapsed)
            render_timings.append(rendered)
            counts.add(len(statements))
    digest = ready.digest
    return {
        "statements": max(counts), "statements_stable": len(counts) == 1,
        "build_s_median": round(statistics.median(timings), 4), "build_s_min": round(min(timings), 4),
        "render_s_median": round(statistics.median(render_timings), 4),
        "objectives_in_digest": len(digest.objectives), "kpis_in_scorecard": len(digest.scorecard.kpis),
        "text_chars": len(text),
    }


def run_digest(database_url: str | None = None, shape: Shape = LARGE, repeats: int = 5, log=print, run_id: str | None = None) -> dict:
    from bot.store.database import make_engine
    from bot.store.schema import upgrade

    url = database_url or f"sqlite:///{scratch_dir('digest') / 'digest.sqlite3'}"
    kind = "postgresql" if url.startswith("postgres") else "sqlite"
    run_id = run_id or f"{int(time.time()) % 100000:05d}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        small_shape = shape.scaled(10)
        sizes, ids = {}, {}
        for label, size in (("large", shape), ("tenth", small_shape)):
            started = time.perf_counter()
            workspace_id = populate(engine, f"TD{run_id}{label}", size)
            ids[label] = workspace_id
            populated = time.perf_counter() - started
            result = measure(engine, workspace_id, repeats)
            sizes[label] = {**size.describe(), **result, "populate_s": round(populated, 1)}
            log(f"  [{kind}] digest {label:<5} {size.checkins:>7} check-ins: {result['statements']} statements, "
                f"build {result['build_s_median'] * 1000:.1f} ms (median of {repeats}), render {result['render_s_median'] * 1000:.1f} ms "
                f"[populated in {populated:.1f}s]")
        large, tenth = sizes["large"], sizes["tenth"]
        # The same large workspace split into teams, with a two-level tree: the company digest
        # (a line per team) and one team's digest cost the statements they cost without teams.
        first_team = add_teams(engine, ids["large"], TEAMS)
        with_teams = {"company": measure(engine, ids["large"], repeats), "one_team": measure(engine, ids["large"], repeats, first_team)}
        for label, result in with_teams.items():
            log(f"  [{kind}] digest large, {TEAMS} teams, {label:<8}: {result['statements']} statements, "
                f"build {result['build_s_median'] * 1000:.1f} ms (median of {repeats})")
        return {
            "database": kind, "sizes": sizes, "teams": TEAMS, "with_teams": with_teams,
            "statements_equal": large["statements"] == tenth["statements"]
            and all(r["statements"] == large["statements"] for r in with_teams.values()),
            "time_ratio_large_to_tenth": round(large["build_s_median"] / tenth["build_s_median"], 2) if tenth["build_s_median"] else None,
        }
    finally:
        engine.dispose()
