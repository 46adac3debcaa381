"""Everything a digest needs about one period, in ten statements whatever its size."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.bonus import parse_bonus_tiers
from bot.domain.digest import DigestInputs, StaleItem, TeamRecord
from bot.domain.insights import InsightMark
from bot.domain.periods import earlier_periods, parse_period
from bot.domain.schedule import zone_named
from bot.domain.views import Person
from bot.store import queries
from bot.store.models import Checkin, InsightState, KeyResult, Kpi, Member, Objective, Team, TeamMember, Workspace

INSIGHT_POINTS = 6  # check-ins per item a digest reads: enough for the insights' trends

WEEK = timedelta(days=7)


def digest_inputs(session: Session, workspace: Workspace, period: str, now: datetime) -> DigestInputs:
    # One seek per member on (workspace_id, author_id, created_at), not a pass over the history.
    last_checkin = (
        select(func.max(Checkin.created_at)).where(Checkin.workspace_id == workspace.id, Checkin.author_id == Member.id).scalar_subquery()
    )
    member_rows = session.exec(select(Member, last_checkin).where(Member.workspace_id == workspace.id)).all()
    members = [m for m, _ in member_rows]
    who = {m.id: Person(m.user_id, m.name or m.user_id) for m in members}
    teams = team_records(session, workspace.id, who)
    names = {t.team_id: t.name for t in teams}
    objective_rows = queries.period_objectives(session, workspace.id, period)
    objectives, key_results = queries.objective_records(session, workspace.id, objective_rows, who, per_item=INSIGHT_POINTS, teams=names)
    week_ago = now - WEEK
    earlier = earlier_periods(parse_period(period))
    all_kpis = queries.kpi_records(session, workspace.id, [period, *earlier], who, per_item=INSIGHT_POINTS, teams=names)
    kpis = [k for k in all_kpis if k.period == period]
    kr_values, kpi_values = queries.values_before(session, workspace.id, [kr.item_id for kr in key_results], [k.item_id for k in kpis], week_ago)
    kr_then = {(kr.objective_number, kr.number): kr_values[kr.item_id] for kr in key_results if kr.item_id in kr_values}
    kpi_then = {k.number: kpi_values[k.item_id] for k in kpis if k.item_id in kpi_values}
    last_by = [(m.id, at) for m, at in member_rows if at is not None]
    return DigestInputs(
        objectives=objectives, key_results=key_results, key_results_week_ago=kr_then, kpis=kpis, kpis_week_ago=kpi_then,
        last_checkin_by={who[author].user_id: _aware(at) for author, at in last_by if author in who},
        away_until={m.user_id: m.unavailable_until for m in members if m.unavailable_until},
        score_cap=workspace.score_cap, okr_style=workspace.okr_style,
        earlier_kpis=[k for k in all_kpis if k.period != period], insight_marks=insight_marks(session, workspace.id),
        zone=zone_named(workspace.timezone), bonus_tiers=parse_bonus_tiers(workspace.bonus_tiers), teams=teams,
    )


def team_records(session: Session, workspace_id: int, who: dict[int, Person]) -> list[TeamRecord]:
    """The workspace's teams with their lead and members, in one statement."""
    rows = session.exec(
        select(Team.id, Team.name, Team.lead_id, TeamMember.member_id)
        .outerjoin(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.workspace_id == workspace_id, col(Team.archived_at).is_(None))
    ).all()
    found: dict[int, tuple[str, int | None, set[str]]] = {}
    for team_id, name, lead_id, member_id in rows:
        entry = found.setdefault(team_id, (name, lead_id, set()))
        if member_id is not None and member_id in who:
            entry[2].add(who[member_id].user_id)
    return [TeamRecord(team_id, name, who.get(lead_id) if lead_id else None, frozenset(members))
            for team_id, (name, lead_id, members) in found.items()]


def insight_marks(session: Session, workspace_id: int) -> dict[str, InsightMark]:
    rows = session.exec(select(InsightState).where(InsightState.workspace_id == workspace_id)).all()
    return {s.key: InsightMark(s.dismissed_at is not None, s.snoozed_until, s.reported) for s in rows}


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def stale_candidates(session: Session, workspace: Workspace, period: str) -> list[StaleItem]:
    """Every open item of the period with its owner and its latest activity (check-in or creation)."""
    members = {m.id: m for m in session.exec(select(Member).where(Member.workspace_id == workspace.id)).all()}
    last_kr = dict(session.exec(
        select(Checkin.key_result_id, func.max(Checkin.created_at)).where(Checkin.workspace_id == workspace.id, col(Checkin.key_result_id).is_not(None)).group_by(Checkin.key_result_id)
    ).all())
    last_kpi = dict(session.exec(
        select(Checkin.kpi_id, func.max(Checkin.created_at)).where(Checkin.workspace_id == workspace.id, col(Checkin.kpi_id).is_not(None)).group_by(Checkin.kpi_id)
    ).all())
    krs = session.exec(
        select(KeyResult, Objective.number).join(Objective, Objective.id == KeyResult.objective_id)
        .where(Objective.workspace_id == workspace.id, Objective.period == period, col(Objective.archived_at).is_(None),
               col(KeyResult.archived_at).is_(None), col(KeyResult.target).is_not(None))
    ).all()
    kpis = session.exec(
        select(Kpi).where(Kpi.workspace_id == workspace.id, Kpi.period == period, col(Kpi.archived_at).is_(None), col(Kpi.target).is_not(None))
    ).all()
    items = []
    for kr, objective_number in krs:
        owner = members[kr.owner_id]
        items.append(StaleItem(Person(owner.user_id, owner.name), f"KR{objective_number}.{kr.number}", kr.title,
                               _aware(last_kr.get(kr.id) or kr.created_at)))
    for kpi in kpis:
        owner = members[kpi.owner_id]
        items.append(StaleItem(Person(owner.user_id, owner.name), f"K{kpi.number}", kpi.name, _aware(last_kpi.get(kpi.id) or kpi.created_at)))
    return items
