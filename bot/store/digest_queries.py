"""Everything a digest needs about one period, in ten statements whatever its size."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.bonus import parse_bonus_tiers
from bot.domain.digest import DigestInputs, StaleItem
from bot.domain.insights import InsightMark
from bot.domain.periods import earlier_periods, parse_period
from bot.domain.schedule import zone_named
from bot.domain.views import Person
from bot.store import queries
from bot.store.models import Checkin, InsightState, KeyResult, Kpi, Member, Objective, Workspace

INSIGHT_POINTS = 6  # check-ins per item a digest reads: enough for the insights' trends

WEEK = timedelta(days=7)


def digest_inputs(session: Session, workspace: Workspace, period: str, now: datetime) -> DigestInputs:
    members = session.exec(select(Member).where(Member.workspace_id == workspace.id)).all()
    who = {m.id: Person(m.user_id, m.name or m.user_id) for m in members}
    objective_rows = queries.period_objectives(session, workspace.id, period)
    objectives, key_results = queries.objective_records(session, workspace.id, objective_rows, who, per_item=INSIGHT_POINTS)
    week_ago = now - WEEK
    earlier = earlier_periods(parse_period(period))
    all_kpis = queries.kpi_records(session, workspace.id, [period, *earlier], who, per_item=INSIGHT_POINTS)
    kpis = [k for k in all_kpis if k.period == period]
    kr_values, kpi_values = queries.values_before(session, workspace.id, [kr.item_id for kr in key_results], [k.item_id for k in kpis], week_ago)
    kr_then = {(kr.objective_number, kr.number): kr_values[kr.item_id] for kr in key_results if kr.item_id in kr_values}
    kpi_then = {k.number: kpi_values[k.item_id] for k in kpis if k.item_id in kpi_values}
    # One seek per member on (workspace_id, author_id, created_at), not a pass over the history.
    last_checkin = (
        select(func.max(Checkin.created_at)).where(Checkin.workspace_id == workspace.id, Checkin.author_id == Member.id).scalar_subquery()
    )
    last_by = [(author, at) for author, at in session.exec(
        select(Member.id, last_checkin).where(Member.workspace_id == workspace.id)
    ).all() if at is not None]
    return DigestInputs(
        objectives=objectives, key_results=key_results, key_results_week_ago=kr_then, kpis=kpis, kpis_week_ago=kpi_then,
        last_checkin_by={who[author].user_id: _aware(at) for author, at in last_by if author in who},
        away_until={m.user_id: m.unavailable_until for m in members if m.unavailable_until},
        score_cap=workspace.score_cap, okr_style=workspace.okr_style,
        earlier_kpis=[k for k in all_kpis if k.period != period], insight_marks=insight_marks(session, workspace.id),
        zone=zone_named(workspace.timezone), bonus_tiers=parse_bonus_tiers(workspace.bonus_tiers),
    )


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
