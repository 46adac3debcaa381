"""Creating, changing and archiving objectives, key results and KPIs."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.quantities import format_quantity
from bot.services import lookup
from bot.services.context import Context, member_for
from bot.services.results import Change, ItemArchived, ItemEdited, KeyResultAdded, KpiAdded, ObjectiveAdded
from bot.store.models import KeyResult, Kpi, Objective


def add_objective(ctx: Context, command: c.AddObjective) -> ObjectiveAdded:
    ctx.require_manager("okr.add")
    period = str(command.period or ctx.current_period)
    ctx.ensure_open(period)
    owner = member_for(ctx, command.owner) if command.owner else ctx.member
    row = Objective(workspace_id=ctx.workspace.id, period=period, title=command.title, owner_id=owner.id, created_by=ctx.member.id, number=0)
    lookup.insert_numbered(ctx.session, row, Objective.workspace_id, ctx.workspace.id)
    return ObjectiveAdded(lookup.objective_picture(ctx, row))


def add_key_result(ctx: Context, command: c.AddKeyResult) -> KeyResultAdded:
    ctx.require_manager("okr.kr")
    parent = lookup.objective(ctx, command.objective)
    ctx.ensure_open(parent.period)
    start = command.start.value if command.start else Decimal(0)
    if start == command.target.value:
        raise UserError("error.target_equals_start", value=format_quantity(command.target.value, command.target.unit), usage="usage.okr.kr")
    owner = member_for(ctx, command.owner) if command.owner else ctx.session.get(type(ctx.member), parent.owner_id)
    row = KeyResult(
        workspace_id=ctx.workspace.id, objective_id=parent.id, number=0, title=command.title, start=start,
        target=command.target.value, unit=command.target.unit or (command.start.unit if command.start else ""),
        weight=command.weight or Decimal(1), owner_id=owner.id,
    )
    lookup.insert_numbered(ctx.session, row, KeyResult.objective_id, parent.id)
    objective, key_result = lookup.key_result_picture(ctx, parent, row)
    return KeyResultAdded(objective, key_result)


def add_kpi(ctx: Context, command: c.AddKpi) -> KpiAdded:
    ctx.require_manager("kpi.add")
    period = str(command.period or ctx.current_period)
    ctx.ensure_open(period)
    owner = member_for(ctx, command.owner) if command.owner else ctx.member
    row = Kpi(
        workspace_id=ctx.workspace.id, number=0, period=period, name=command.name, target=command.target.value,
        unit=command.target.unit, weight=command.weight, direction=command.direction, perspective=command.perspective,
        owner_id=owner.id,
    )
    lookup.insert_numbered(ctx.session, row, Kpi.workspace_id, ctx.workspace.id)
    return KpiAdded(lookup.kpi_picture(ctx, row), owner_weight_total(ctx, period, owner.id))


def owner_weight_total(ctx: Context, period: str, owner_id: int) -> Decimal:
    weights = ctx.session.exec(
        select(Kpi.weight).where(Kpi.workspace_id == ctx.workspace.id, Kpi.period == period, Kpi.owner_id == owner_id, Kpi.archived_at == None)  # noqa: E711
    ).all()
    return sum(weights, Decimal(0))


def edit_item(ctx: Context, command: c.EditItem) -> ItemEdited:
    ctx.require_manager("edit")
    if command.ref.kind == "O":
        return _edit_objective(ctx, command)
    if command.ref.kind == "KR":
        return _edit_key_result(ctx, command)
    return _edit_kpi(ctx, command)


def _not_for(command: c.EditItem, *fields: str) -> None:
    for name in fields:
        if getattr(command, name) is not None:
            raise UserError("error.option_not_for", option=f"{name}=", ref=str(command.ref))


def _edit_objective(ctx: Context, command: c.EditItem) -> ItemEdited:
    _not_for(command, "target", "start", "weight", "direction", "perspective")
    row = lookup.objective(ctx, command.ref.number)
    ctx.ensure_open(row.period)
    changes = []
    if command.title:
        changes.append(Change("title", row.title, command.title))
        row.title = command.title
    _move_period(ctx, row, command, changes)
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    return ItemEdited(str(command.ref), tuple(changes), objective=lookup.objective_picture(ctx, row))


def _edit_key_result(ctx: Context, command: c.EditItem) -> ItemEdited:
    _not_for(command, "direction", "perspective", "period")
    parent, row = lookup.key_result(ctx, command.ref)
    ctx.ensure_open(parent.period)
    start = command.start.value if command.start else row.start
    target = command.target.value if command.target else row.target
    if start == target:
        raise UserError("error.target_equals_start", value=format_quantity(target, row.unit), usage="usage.okr.edit")
    changes = []
    if command.title:
        changes.append(Change("title", row.title, command.title))
        row.title = command.title
    if command.target:
        changes.append(Change("target", format_quantity(row.target, row.unit), format_quantity(target, command.target.unit or row.unit)))
        row.target, row.unit = target, command.target.unit or row.unit
    if command.start:
        changes.append(Change("start", format_quantity(row.start, row.unit), format_quantity(start, row.unit)))
        row.start = start
    if command.weight is not None:
        changes.append(Change("weight", str(row.weight), str(command.weight)))
        row.weight = command.weight
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    objective, key_result = lookup.key_result_picture(ctx, parent, row)
    return ItemEdited(str(command.ref), tuple(changes), objective=objective, key_result=key_result)


def _edit_kpi(ctx: Context, command: c.EditItem) -> ItemEdited:
    _not_for(command, "start")
    row = lookup.kpi(ctx, command.ref.number)
    ctx.ensure_open(row.period)
    changes = []
    if command.title:
        changes.append(Change("title", row.name, command.title))
        row.name = command.title
    if command.target:
        if command.target.value == 0:
            raise UserError("error.zero_target", usage="usage.kpi.edit")
        changes.append(Change("target", format_quantity(row.target, row.unit), format_quantity(command.target.value, command.target.unit or row.unit)))
        row.target, row.unit = command.target.value, command.target.unit or row.unit
    if command.weight is not None:
        changes.append(Change("weight", f"{row.weight}%", f"{command.weight}%"))
        row.weight = command.weight
    if command.direction:
        changes.append(Change("direction", row.direction, command.direction))
        row.direction = command.direction
    if command.perspective:
        changes.append(Change("perspective", row.perspective or "–", command.perspective))
        row.perspective = command.perspective
    _move_period(ctx, row, command, changes)
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    return ItemEdited(str(command.ref), tuple(changes), kpi=lookup.kpi_picture(ctx, row))


def _move_period(ctx: Context, row, command: c.EditItem, changes: list[Change]) -> None:
    if command.period:
        ctx.ensure_open(str(command.period))
        changes.append(Change("period", row.period, str(command.period)))
        row.period = str(command.period)


def _reassign(ctx: Context, row, command: c.EditItem, changes: list[Change]) -> None:
    if command.owner:
        owner = member_for(ctx, command.owner)
        changes.append(Change("owner", _name(ctx, row.owner_id), owner.name))
        row.owner_id = owner.id


def _name(ctx: Context, member_id: int) -> str:
    member = ctx.session.get(type(ctx.member), member_id)
    return member.name if member else "?"


def archive_item(ctx: Context, command: c.ArchiveItem) -> ItemArchived:
    ctx.require_manager("archive")
    ref = command.ref
    if ref.kind == "O":
        row = lookup.objective(ctx, ref.number)
        title = row.title
    elif ref.kind == "KR":
        _, row = lookup.key_result(ctx, ref)
        title = row.title
    else:
        row = lookup.kpi(ctx, ref.number)
        title = row.name
    row.archived_at = ctx.now
    return ItemArchived(str(ref), title)

