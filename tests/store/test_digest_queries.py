"""Loading a digest costs the same few statements whatever the size of the workspace."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import event
from sqlmodel import Session

from bot.store.digest_queries import digest_inputs
from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Workspace

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def populate(engine, team: str, objectives: int, krs_each: int, kpis: int, checkins_each: int) -> Workspace:
    with Session(engine, expire_on_commit=False) as session:
        ws = Workspace(team_id=team)
        session.add(ws)
        session.flush()
        owner = Member(workspace_id=ws.id, user_id="U1", name="ann", role="owner")
        session.add(owner)
        session.flush()
        for o in range(1, objectives + 1):
            objective = Objective(workspace_id=ws.id, number=o, period="2026-Q4", title=f"O{o}", owner_id=owner.id, created_by=owner.id)
            session.add(objective)
            session.flush()
            for k in range(1, krs_each + 1):
                kr = KeyResult(workspace_id=ws.id, objective_id=objective.id, number=k, title="kr", target=Decimal(10), owner_id=owner.id)
                session.add(kr)
                session.flush()
                for c in range(checkins_each):
                    session.add(Checkin(workspace_id=ws.id, key_result_id=kr.id, value=Decimal(c), author_id=owner.id,
                                        created_at=NOW - timedelta(days=c)))
        for n in range(1, kpis + 1):
            kpi = Kpi(workspace_id=ws.id, number=n, period="2026-Q4", name="kpi", target=Decimal(5), weight=Decimal(10), owner_id=owner.id)
            session.add(kpi)
            session.flush()
            for c in range(checkins_each):
                session.add(Checkin(workspace_id=ws.id, kpi_id=kpi.id, value=Decimal(c + 1), author_id=owner.id, created_at=NOW - timedelta(days=c)))
        session.commit()
        return ws


def statements(engine, workspace: Workspace) -> tuple[int, object]:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with Session(engine) as session:
            inputs = digest_inputs(session, workspace, "2026-Q4", NOW)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen), inputs


def test_the_statement_count_does_not_grow_with_the_workspace(engine):
    small = populate(engine, "TSMALL", objectives=2, krs_each=2, kpis=2, checkins_each=3)
    large = populate(engine, "TLARGE", objectives=20, krs_each=5, kpis=20, checkins_each=10)
    small_count, small_inputs = statements(engine, small)
    large_count, large_inputs = statements(engine, large)
    assert small_count == large_count <= 10
    assert len(large_inputs.key_results) == 100 and len(large_inputs.kpis) == 20
    assert all(len(kr.checkins) == 6 for kr in large_inputs.key_results)  # enough for the insights' trends
    assert large_inputs.key_results_week_ago[(1, 1)] == Decimal(7)  # the check-in of seven days ago


def test_teams_and_a_tree_add_no_statement(engine):
    """Split into eight teams, with team objectives aligned to company key results: the company
    digest and a team's read the same statements as before."""
    from sqlmodel import select

    from bench.digest_size import add_teams
    from bot.services.digests import build_digest

    workspace = populate(engine, "TTEAMS", objectives=10, krs_each=2, kpis=4, checkins_each=3)
    before, _ = statements(engine, workspace)
    with Session(engine) as session:
        for n in range(2, 6):
            session.add(Member(workspace_id=workspace.id, user_id=f"U{n}", name=f"person{n}"))
        session.commit()
    first_team = add_teams(engine, workspace.id, 8)
    after, inputs = statements(engine, workspace)
    assert after == before and len(inputs.teams) == 8
    assert sum(1 for o in inputs.objectives if o.parent) == 8 and {o.team for o in inputs.objectives} >= {"Team 0", None}
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    with Session(engine) as session:
        loaded = session.exec(select(Workspace).where(Workspace.id == workspace.id)).one()
        event.listen(engine, "before_cursor_execute", listener)
        try:
            ready = build_digest(session, loaded, NOW, team_id=first_team)
        finally:
            event.remove(engine, "before_cursor_execute", listener)
    begun = 1 if engine.dialect.name == "sqlite" else 0  # `statements` opens its session with BEGIN IMMEDIATE; this one had begun
    assert len(seen) == before - begun and ready.digest.team.name == "Team 0"
