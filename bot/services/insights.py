"""Insights on demand (`/perf insights`), and what a team did with them: dismissed, snoozed, or
already reported in a digest with the same numbers (then not repeated while nothing changed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.domain.errors import UserError
from bot.domain.insights import Insight, InsightRule, find_insights, items_from_records, reported_key
from bot.domain.periods import Period, earlier_periods
from bot.services.context import Context, workspace_zone
from bot.store import queries
from bot.store.database import queued_session
from bot.store.models import InsightState, Workspace



def code(insight: Insight) -> str:
    """A short handle for one insight (its rule and items), for dismiss and snooze."""
    return hashlib.sha256(insight.key.encode()).hexdigest()[:5]


@dataclass(frozen=True)
class ShownInsight:
    insight: Insight
    code: str
    reported: bool  # already in a digest with these very numbers


@dataclass(frozen=True)
class InsightList:
    period: str
    insights: tuple[ShownInsight, ...]


@dataclass(frozen=True)
class InsightDismissed:
    insight: Insight
    until: date | None  # None: for good


def period_insights(session: Session, workspace: Workspace, period: Period, today: date, rules: tuple[InsightRule, ...]) -> list[Insight]:
    """Every insight of the period, from its records and the KPIs of the periods before it."""
    who = queries.people(session, workspace.id)
    objective_rows = queries.period_objectives(session, workspace.id, str(period))
    _, key_results = queries.objective_records(session, workspace.id, objective_rows, who, per_item=6)
    kpis = queries.kpi_records(session, workspace.id, [str(period), *earlier_periods(period)], who, per_item=6)
    current = [k for k in kpis if k.period == str(period)]
    earlier = [k for k in kpis if k.period != str(period)]
    return find_insights(items_from_records(key_results, current, earlier, workspace_zone(workspace)), rules, today)


def states(session: Session, workspace_id: int) -> dict[str, InsightState]:
    return {s.key: s for s in session.exec(select(InsightState).where(InsightState.workspace_id == workspace_id)).all()}


def hidden(insight: Insight, state: InsightState | None, today: date) -> bool:
    """Dismissed, or snoozed until a day not yet past."""
    return state is not None and (state.dismissed_at is not None or (state.snoozed_until is not None and state.snoozed_until >= today))


def list_insights(ctx: Context, command) -> InsightList:
    """All of the period's insights a person can act on: managers see every one, members their own items'."""
    found = period_insights(ctx.session, ctx.workspace, ctx.current_period, ctx.today, ctx.runtime.insights)
    known = states(ctx.session, ctx.workspace.id)
    shown = []
    for insight in found:
        state = known.get(insight.key)
        if hidden(insight, state, ctx.today) and not command.everything:
            continue
        if not ctx.is_manager and ctx.member.user_id not in {o.user_id for o in insight.owners}:
            continue
        shown.append(ShownInsight(insight, code(insight), state is not None and state.reported == insight.signature))
    return InsightList(str(ctx.current_period), tuple(shown))


def dismiss_insight(ctx: Context, command) -> InsightDismissed:
    """Owners, managers and the owners of the items may dismiss an insight, or snooze it for some days."""
    found = period_insights(ctx.session, ctx.workspace, ctx.current_period, ctx.today, ctx.runtime.insights)
    insight = next((i for i in found if code(i) == command.code.lower()), None)
    if insight is None:
        raise UserError("insights.unknown_code", code=command.code[:12])
    if not ctx.is_manager and ctx.member.user_id not in {o.user_id for o in insight.owners}:
        raise UserError("error.not_your_item", ref=", ".join(insight.refs))
    state = _state(ctx.session, ctx.workspace.id, insight.key)
    until = None if command.days is None else ctx.today + timedelta(days=command.days)
    if until is None:
        state.dismissed_at = ctx.now
    else:
        state.snoozed_until = until
    ctx.session.add(state)
    return InsightDismissed(insight, until)


def _state(session: Session, workspace_id: int, key: str) -> InsightState:
    state = session.exec(select(InsightState).where(InsightState.workspace_id == workspace_id, InsightState.key == key)).first()
    return state or InsightState(workspace_id=workspace_id, key=key)


def mark_reported(engine, workspace_id: int, insights: tuple[Insight, ...], now: datetime, audience: str = "") -> None:
    """After a digest went out: these insights were told (to `audience`) with these numbers."""
    if not insights:
        return
    with queued_session(engine) as session:
        for insight in insights:
            state = _state(session, workspace_id, reported_key(insight, audience))
            state.reported, state.reported_at = insight.signature, now
            session.add(state)
        try:
            session.commit()
        except IntegrityError:  # another replica recorded the same a moment ago
            session.rollback()
