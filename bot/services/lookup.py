"""Finding items by their short references, within one workspace only."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from bot.domain.commands import Ref
from bot.domain.errors import UserError
from bot.domain.views import KeyResultView, KpiView, ObjectiveView, kpi_view, objective_views
from bot.services.context import Context
from bot.store import queries
from bot.store.models import KeyResult, Kpi, Objective


def objective(ctx: Context, number: int, *, include_archived: bool = False) -> Objective:
    found = ctx.session.exec(select(Objective).where(Objective.workspace_id == ctx.workspace.id, Objective.number == number)).first()
    if found is None:
        raise UserError("error.unknown_ref", ref=f"O{number}")
    if found.archived_at is not None and not include_archived:
        raise UserError("error.archived", ref=f"O{number}")
    return found


def key_result(ctx: Context, ref: Ref) -> tuple[Objective, KeyResult]:
    try:
        parent = objective(ctx, ref.objective)
    except UserError as error:  # name what was asked for: "there is no KR9.9", not "no O9"
        raise UserError(error.key, **{**error.params, "ref": str(ref)}) from None
    found = ctx.session.exec(select(KeyResult).where(KeyResult.objective_id == parent.id, KeyResult.number == ref.number)).first()
    if found is None:
        raise UserError("error.unknown_ref", ref=str(ref))
    if found.archived_at is not None:
        raise UserError("error.archived", ref=str(ref))
    return parent, found


def kpi(ctx: Context, number: int) -> Kpi:
    found = ctx.session.exec(select(Kpi).where(Kpi.workspace_id == ctx.workspace.id, Kpi.number == number)).first()
    if found is None:
        raise UserError("error.unknown_ref", ref=f"K{number}")
    if found.archived_at is not None:
        raise UserError("error.archived", ref=f"K{number}")
    return found


def objective_picture(ctx: Context, row: Objective) -> ObjectiveView:
    """The objective with its progress, rolled up from the objectives aligned below it."""
    who = queries.people(ctx.session, ctx.workspace.id)
    objectives, key_results = queries.objective_records(ctx.session, ctx.workspace.id, queries.subtree(ctx.session, row), who)
    return next(view for view in objective_views(objectives, key_results, ctx.cap) if view.ref == f"O{row.number}")


def key_result_picture(ctx: Context, parent: Objective, row: KeyResult) -> tuple[ObjectiveView, KeyResultView]:
    picture = objective_picture(ctx, parent)
    return picture, next(kr for kr in picture.key_results if kr.ref == f"KR{parent.number}.{row.number}")


def kpi_picture(ctx: Context, row: Kpi) -> KpiView:
    who = queries.people(ctx.session, ctx.workspace.id)
    return kpi_view(queries.kpi_records(ctx.session, ctx.workspace.id, row.period, who, number=row.number)[0], ctx.cap)


def insert_numbered(session: Session, row, scope_column, scope_value, attempts: int = 5):
    """Give `row` the next number in its scope. Two requests racing for the same number
    collide on the unique constraint; the loser takes the next one."""
    model = type(row)
    for _ in range(attempts):
        highest = session.exec(select(func.max(model.number)).where(scope_column == scope_value)).one()
        row.number = (highest or 0) + 1
        try:
            with session.begin_nested():
                session.add(row)
            return row
        except IntegrityError:
            session.expunge(row) if row in session else None
            continue
    raise RuntimeError(f"could not number a new {model.__name__} after {attempts} attempts")
