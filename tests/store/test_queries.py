"""The latest check-ins of each item: what listings, replies and digests show as "current"
and "since last". Pinned against a plain reading of the history."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlmodel import Session

from bot.domain.views import Person
from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Workspace
from bot.store.queries import latest_checkins

NOW = datetime(2026, 11, 25, 12, tzinfo=timezone.utc)


def workspace_with_history(session: Session, team: str) -> tuple[Workspace, list[int], int, dict]:
    """Three key results with 0, 1 and 4 check-ins (two at the same instant) and a KPI."""
    ws = Workspace(team_id=team)
    session.add(ws)
    session.flush()
    owner = Member(workspace_id=ws.id, user_id=f"U{team}", name="ann", role="owner")
    session.add(owner)
    session.flush()
    objective = Objective(workspace_id=ws.id, number=1, period="2026-Q4", title="O", owner_id=owner.id, created_by=owner.id)
    session.add(objective)
    session.flush()
    krs = []
    for number in (1, 2, 3):
        kr = KeyResult(workspace_id=ws.id, objective_id=objective.id, number=number, title="kr", target=Decimal(10), owner_id=owner.id)
        session.add(kr)
        session.flush()
        krs.append(kr.id)
    kpi = Kpi(workspace_id=ws.id, number=1, period="2026-Q4", name="kpi", target=Decimal(5), weight=Decimal(100), owner_id=owner.id)
    session.add(kpi)
    session.flush()

    def check_in(value: int, at: datetime, kr: int | None = None, kpi_id: int | None = None) -> None:
        session.add(Checkin(workspace_id=ws.id, key_result_id=kr, kpi_id=kpi_id, value=Decimal(value), author_id=owner.id, created_at=at))
        session.flush()

    check_in(7, NOW - timedelta(days=3), kr=krs[1])
    check_in(1, NOW - timedelta(days=9), kr=krs[2])
    check_in(2, NOW - timedelta(days=5), kr=krs[2])
    check_in(3, NOW - timedelta(days=1), kr=krs[2])  # these two share an instant:
    check_in(4, NOW - timedelta(days=1), kr=krs[2])  # the later row is the newer check-in
    check_in(9, NOW - timedelta(days=2), kpi_id=kpi.id)
    return ws, krs, kpi.id, {owner.id: Person(owner.user_id, owner.name)}


def values(found: dict, item: int) -> list[int]:
    return [int(record.value) for record in found.get(item, [])]


def test_newest_first_ties_broken_by_order_of_arrival_and_items_without_history_left_out(engine):
    with Session(engine) as session:
        ws, krs, kpi, who = workspace_with_history(session, "TQ1")
        found = latest_checkins(session, ws.id, Checkin.key_result_id, krs, who)
        assert [values(found, kr) for kr in krs] == [[], [7], [4, 3]]
        assert values(latest_checkins(session, ws.id, Checkin.key_result_id, krs, who, per_item=3), krs[2]) == [4, 3, 2]
        assert values(latest_checkins(session, ws.id, Checkin.kpi_id, [kpi], who), kpi) == [9]
        assert found[krs[2]][0].author == Person("UTQ1", "ann")


def test_as_of_a_moment_it_reads_the_history_up_to_then(engine):
    with Session(engine) as session:
        ws, krs, _, who = workspace_with_history(session, "TQ2")
        week_ago = latest_checkins(session, ws.id, Checkin.key_result_id, krs, who, per_item=1, before=NOW - timedelta(days=7))
        assert [values(week_ago, kr) for kr in krs] == [[], [], [1]]
        four_days = latest_checkins(session, ws.id, Checkin.key_result_id, krs, who, per_item=1, before=NOW - timedelta(days=4))
        assert [values(four_days, kr) for kr in krs] == [[], [], [2]]


def test_another_workspaces_items_are_not_read(engine):
    with Session(engine) as session:
        ours, our_krs, _, who = workspace_with_history(session, "TQ3")
        _, their_krs, _, _ = workspace_with_history(session, "TQ4")
        found = latest_checkins(session, ours.id, Checkin.key_result_id, our_krs + their_krs, who)
        assert set(found) == {our_krs[1], our_krs[2]}
