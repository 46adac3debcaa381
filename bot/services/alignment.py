"""Aligning an objective to a parent objective or key result, and the tree they form."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.domain import commands as c
from bot.domain.alignment import alignment_problem
from bot.domain.errors import UserError
from bot.domain.tree import TreeLine, objective_tree
from bot.domain.views import ObjectiveView, objective_views
from bot.services import lookup
from bot.services.context import Context
from bot.services.placement import place_of, require_manage
from bot.services.teams import find_team
from bot.store import queries
from bot.store.models import KeyResult, Objective


@dataclass(frozen=True)
class ObjectiveAligned:
    objective: ObjectiveView  # the child
    parent: str | None  # "O1", "KR1.2"; None: no longer aligned
    parent_title: str = ""
    parent_progress: Decimal | None = None  # the parent objective's progress now, with the child counted
    parent_objective: str = ""  # "O1", also when aligned to KR1.2
    previous: str | None = None  # what it was aligned to before


@dataclass(frozen=True)
class ObjectiveTree:
    period: str
    lines: tuple[TreeLine, ...]
    team: str | None = None


def align_objective(ctx: Context, command: c.AlignObjective) -> ObjectiveAligned:
    child = lookup.objective(ctx, command.child)
    require_manage(ctx, place_of(ctx, child), "O", {child.owner_id}, ref=f"O{child.number}")
    ctx.ensure_open(child.period)
    links = parent_links(ctx, child.period)
    child_ref = f"O{child.number}"
    previous = links.get(child_ref)
    if command.parent is None:
        child.parent_objective_id = child.parent_key_result_id = None
        ctx.session.flush()
        return ObjectiveAligned(lookup.objective_picture(ctx, child), None, previous=previous)
    if command.parent.kind == "O":
        parent_objective, parent_key_result = lookup.objective(ctx, command.parent.number), None
    else:
        parent_objective, parent_key_result = lookup.key_result(ctx, command.parent)
    if parent_objective.period != child.period:
        raise UserError("error.align_other_period", ref=child_ref, parent=str(command.parent), period=child.period,
                        parent_period=parent_objective.period)
    problem = alignment_problem(links, child_ref, str(command.parent))
    if problem:
        raise UserError(problem, ref=child_ref, parent=str(command.parent))
    child.parent_objective_id = parent_objective.id if parent_key_result is None else None
    child.parent_key_result_id = parent_key_result.id if parent_key_result is not None else None
    if command.weight is not None:
        child.align_weight = command.weight
    elif previous is None:
        child.align_weight = Decimal(1)
    ctx.session.flush()
    parent_view = lookup.objective_picture(ctx, parent_objective)
    child_view = lookup.objective_picture(ctx, child)
    title = parent_key_result.title if parent_key_result is not None else parent_objective.title
    return ObjectiveAligned(child_view, str(command.parent), title, parent_view.progress, previous=previous, parent_objective=parent_view.ref)


def parent_links(ctx: Context, period: str) -> dict[str, str]:
    """Each aligned objective of the period → its parent's ref, in one statement."""
    parent = aliased(Objective)
    kr_objective = aliased(Objective)
    rows = ctx.session.exec(
        select(Objective.number, parent.number, kr_objective.number, KeyResult.number)
        .outerjoin(parent, parent.id == Objective.parent_objective_id)
        .outerjoin(KeyResult, KeyResult.id == Objective.parent_key_result_id)
        .outerjoin(kr_objective, kr_objective.id == KeyResult.objective_id)
        .where(Objective.workspace_id == ctx.workspace.id, Objective.period == period, col(Objective.archived_at).is_(None),
               col(Objective.parent_objective_id).is_not(None) | col(Objective.parent_key_result_id).is_not(None))
    ).all()
    return {f"O{number}": f"O{parent_number}" if parent_number is not None else f"KR{kr_objective_number}.{kr_number}"
            for number, parent_number, kr_objective_number, kr_number in rows}


def show_tree(ctx: Context, command: c.ShowTree) -> ObjectiveTree:
    """The period's objectives as a tree; with a team, the branches that hold its objectives
    (with the company objectives above them, so each team sees what it contributes to)."""
    period = str(command.period or ctx.current_period)
    views = period_views(ctx, period)
    team = find_team(ctx, command.team).name if command.team else None
    lines = objective_tree(views)
    if team is not None:
        lines = branches_of(lines, team)
    return ObjectiveTree(period, tuple(lines), team)


def period_views(ctx: Context, period: str) -> list[ObjectiveView]:
    who = queries.people(ctx.session, ctx.workspace.id)
    rows = queries.period_objectives(ctx.session, ctx.workspace.id, period)
    return objective_views(*queries.objective_records(ctx.session, ctx.workspace.id, rows, who), ctx.cap)


def branches_of(lines: list[TreeLine], team: str) -> list[TreeLine]:
    """The lines of the team's objectives, their descendants, and their ancestors."""
    keep: set[int] = set()
    for i, line in enumerate(lines):
        if line.objective.team != team:
            continue
        keep.add(i)
        depth = line.depth
        for j in range(i - 1, -1, -1):  # ancestors: the nearest shallower line, and so on up
            if lines[j].depth < depth:
                keep.add(j)
                depth = lines[j].depth
        for j in range(i + 1, len(lines)):  # descendants: deeper lines until the depth comes back
            if lines[j].depth <= line.depth:
                break
            keep.add(j)
    return [line for i, line in enumerate(lines) if i in keep]
