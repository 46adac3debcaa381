"""Read-only views: listings, an objective's detail, the KPI scorecard."""

from __future__ import annotations

from dataclasses import replace

from bot.domain import commands as c
from bot.domain.views import KeyResultView, ObjectiveView, Person, kpi_view, objective_views, scorecard_view
from bot.services import lookup
from bot.services.context import Context, find_member
from bot.services.teams import find_team
from bot.services.results import KpiList, ObjectiveDetail, ObjectiveList, Scorecard
from bot.store import queries


def list_objectives(ctx: Context, command: c.ListObjectives) -> ObjectiveList:
    period = str(command.period or ctx.current_period)
    who = queries.people(ctx.session, ctx.workspace.id)
    rows = queries.period_objectives(ctx.session, ctx.workspace.id, period)
    views = objective_views(*queries.objective_records(ctx.session, ctx.workspace.id, rows, who), ctx.cap)
    team = _team(ctx, command.team)
    if team:
        views = [o for o in views if o.team == team]
    owner = _person(ctx, command.owner)
    if owner:
        views = _narrowed(views, lambda kr: kr.owner.user_id == owner.user_id, keep=lambda o: o.owner.user_id == owner.user_id)
    if command.status == "on-track":
        views = _narrowed(views, lambda kr: not kr.at_risk)
    elif command.status:
        wanted = ("at-risk", "off-track") if command.status == "at-risk" else ("off-track",)
        views = _narrowed(views, lambda kr: kr.confidence in wanted)
    return ObjectiveList(period, tuple(views), owner, command.status, team)


def _narrowed(views: list[ObjectiveView], matches, keep=lambda objective: False) -> list[ObjectiveView]:
    """Each objective with only the key results asked for (the rest counted, not shown); an
    objective with none of them is left out, unless `keep` wants it (it is the person's own)."""
    narrowed = []
    for objective in views:
        shown: tuple[KeyResultView, ...] = tuple(kr for kr in objective.key_results if matches(kr))
        if shown or keep(objective):
            hidden = len(objective.key_results) - len(shown) + objective.hidden_key_results
            narrowed.append(replace(objective, key_results=shown, hidden_key_results=hidden))
    return narrowed


def show_objective(ctx: Context, command: c.ShowObjective) -> ObjectiveDetail:
    row = lookup.objective(ctx, command.number, include_archived=True)
    return ObjectiveDetail(lookup.objective_picture(ctx, row), archived=row.archived_at is not None)


def list_kpis(ctx: Context, command: c.ListKpis) -> KpiList:
    period = str(command.period or ctx.current_period)
    who = queries.people(ctx.session, ctx.workspace.id)
    views = [kpi_view(k, ctx.cap) for k in queries.kpi_records(ctx.session, ctx.workspace.id, period, who)]
    team = _team(ctx, command.team)
    if team:
        views = [k for k in views if k.team == team]
    owner = _person(ctx, command.owner)
    if owner:
        views = [k for k in views if k.owner.user_id == owner.user_id]
    return KpiList(period, tuple(views), owner, team)


def scorecard(ctx: Context, command: c.ShowScorecard) -> Scorecard:
    period = str(command.period or ctx.current_period)
    who = queries.people(ctx.session, ctx.workspace.id)
    records = queries.kpi_records(ctx.session, ctx.workspace.id, period, who)
    team = _team(ctx, command.team)
    if team:
        records = [k for k in records if k.team == team]
    owner = _person(ctx, command.owner)
    if owner:
        records = [k for k in records if k.owner.user_id == owner.user_id]
    return Scorecard(scorecard_view(period, records, ctx.workspace.score_cap), owner, team)


def _team(ctx: Context, name: str | None) -> str | None:
    """The team's name as stored (`team=growth` finds Growth), or an error naming the teams."""
    return find_team(ctx, name).name if name else None


def _person(ctx: Context, mention: c.Mention | None) -> Person | None:
    if mention is None:
        return None
    member = find_member(ctx, mention.user_id)
    return Person(mention.user_id, member.name if member else mention.name or mention.user_id)
