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
