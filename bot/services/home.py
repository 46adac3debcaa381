"""What one person sees of their workspace: their own items and, for managers, the team's."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.quantities import Quantity
from bot.domain.tree import TreeLine, objective_tree
from bot.domain.views import KeyResultView, KpiView, ObjectiveView, ScorecardView, kpi_view, objective_views, scorecard_view
from bot.services import goals, lookup
from bot.services.alignment import branches_of
from bot.services.context import Context
from bot.services.teams import team_names, teams_of_member
from bot.services.results import ObjectiveAdded
from bot.store import queries

MAX_MODAL_KEY_RESULTS = 5


@dataclass(frozen=True)
class HomeData:
    period: str
    role: str
    my_key_results: tuple[KeyResultView, ...]
    my_kpis: tuple[KpiView, ...]
    team_objectives: tuple[ObjectiveView, ...] = ()  # the objectives this person may check in for (a manager's all, a lead's team's)
    scorecard: ScorecardView | None = None
    tree: tuple[TreeLine, ...] = ()  # the goal tree as they see it: all of it, or their team's branches
    team: str | None = None  # the team a lead or member sees

    @property
    def my_items(self) -> tuple[KeyResultView | KpiView, ...]:
        return self.my_key_results + tuple(k for k in self.my_kpis if k.target is not None)


def home(ctx: Context) -> HomeData:
    period = str(ctx.current_period)
    who = queries.people(ctx.session, ctx.workspace.id)
    rows = queries.period_objectives(ctx.session, ctx.workspace.id, period)
    objectives = objective_views(*queries.objective_records(ctx.session, ctx.workspace.id, rows, who), ctx.cap)
    kpis = queries.kpi_records(ctx.session, ctx.workspace.id, period, who)
    me = ctx.member.user_id
    mine = tuple(kr for o in objectives for kr in o.key_results if kr.owner.user_id == me or (o.owner.user_id == me and not ctx.is_manager))
    my_kpis = tuple(kpi_view(k, ctx.cap) for k in kpis if k.owner.user_id == me)
    tree = objective_tree(objectives)
    if ctx.is_manager:
        return HomeData(period, ctx.member.role, mine, my_kpis, tuple(objectives), scorecard_view(period, kpis, ctx.workspace.score_cap),
                        tuple(tree))
    leads = sorted(ctx.standing().leads)
    teams = leads or teams_of_member(ctx.session, ctx.member.id)
    if not teams:
        return HomeData(period, ctx.member.role, mine, my_kpis)
    team = team_names(ctx.session, ctx.workspace.id)[teams[0]]
    branches = tuple(branches_of(tree, team))
    if not leads:  # a member sees where their team's goals lead, and checks in on their own
        return HomeData(period, ctx.member.role, mine, my_kpis, tree=branches, team=team)
    team_kpis = [k for k in kpis if k.team == team]
    return HomeData(period, ctx.member.role, mine, my_kpis, tuple(o for o in objectives if o.team == team),
                    scorecard_view(period, team_kpis, ctx.workspace.score_cap), branches, team)


@dataclass(frozen=True)
class DraftKeyResult:
    title: str
    target: Quantity
    start: Quantity | None = None


def add_objective_with_key_results(ctx: Context, title: str, key_results: list[DraftKeyResult]) -> ObjectiveAdded:
    """The "new objective" form: one objective and up to five key results, all or nothing."""
    if len(key_results) > MAX_MODAL_KEY_RESULTS:
        raise UserError("error.too_many_key_results", limit=MAX_MODAL_KEY_RESULTS)
    added = goals.add_objective(ctx, c.AddObjective(title))
    number = int(added.objective.ref[1:])
    for draft in key_results:
        goals.add_key_result(ctx, c.AddKeyResult(number, draft.title, draft.target, draft.start))
    return ObjectiveAdded(lookup.objective_picture(ctx, lookup.objective(ctx, number)))


def checkin_choices(data: HomeData) -> tuple[KeyResultView | KpiView, ...]:
    """Your own items first; owners and managers may also check in for the rest of the team."""
    mine = data.my_items
    refs = {item.ref for item in mine}
    others = tuple(kr for o in data.team_objectives for kr in o.key_results if kr.ref not in refs)
    if data.scorecard is not None:
        others += tuple(k for k in data.scorecard.kpis if k.ref not in refs and k.target is not None)
    return mine + others
