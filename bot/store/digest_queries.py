"""Everything a digest needs about one period, in eight statements whatever its size."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot.domain.digest import DigestInputs, StaleItem
from bot.domain.views import Person
from bot.store import queries
from bot.store.models import Checkin, KeyResult, Kpi, Member, Objective, Workspace

WEEK = timedelta(days=7)


def digest_inputs(session: Session, workspace: Workspace, period: str, now: datetime) -> DigestInputs:
    members = session.exec(select(Member).where(Member.workspace_id == workspace.id)).all()
    who = {m.id: Person(m.user_id, m.name or m.user_id) for m in members}
    objective_rows = queries.period_objectives(session, workspace.id, period)
    objectives, key_results = queries.objective_records(session, workspace.id, objective_rows, who)
    week_ago = now - WEEK
    kpis = queries.kpi_records(session, workspace.id, period, who)
    kr_then = _values_then(session, workspace.id, Checkin.key_result_id, {(kr.objective_number, kr.number): kr.item_id for kr in key_results}, who, week_ago)
    kpi_then = _values_then(session, workspace.id, Checkin.kpi_id, {k.number: k.item_id for k in kpis}, who, week_ago)
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
    )


def _values_then(session: Session, workspace_id: int, column, ids_by_key: dict, who, moment: datetime) -> dict:
    """Each item's value as it stood at `moment` (its latest check-in by then)."""
    rows = queries.latest_checkins(session, workspace_id, column, ids_by_key.values(), who, per_item=1, before=moment)
    return {key: rows[item_id][0].value for key, item_id in ids_by_key.items() if item_id in rows}


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
