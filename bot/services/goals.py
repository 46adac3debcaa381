"""Creating, changing and archiving objectives, key results and KPIs."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import col, select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.limits import checked_title
from bot.domain.periods import parse_period
from bot.domain.measures import KEY_RESULT, KPI, Measurement, measurement
from bot.domain.quantities import format_quantity
from bot.domain.scoring import INCREASE, DECREASE, direction_of
from bot.services import lookup
from bot.services.context import Context, member_for
from bot.services.placement import Place, place_changed, place_new, place_of, require_manage
from bot.services.results import Change, ItemArchived, ItemEdited, KeyResultAdded, KpiAdded, ObjectiveAdded
from bot.store.models import KeyResult, Kpi, Member, Objective


def add_objective(ctx: Context, command: c.AddObjective) -> ObjectiveAdded:
    period = str(command.period or ctx.current_period)
    owner = member_for(ctx, command.owner) if command.owner else ctx.member
    place = place_new(ctx, command.placement, owner)
    require_manage(ctx, place, "O", {owner.id})
    ctx.ensure_open(period)
    row = Objective(workspace_id=ctx.workspace.id, period=period, title=checked_title(command.title), owner_id=owner.id,
                    created_by=ctx.member.id, number=0, level=place.level, team_id=place.team_id)
    lookup.insert_numbered(ctx.session, row, Objective.workspace_id, ctx.workspace.id)
    return ObjectiveAdded(lookup.objective_picture(ctx, row))


def add_key_result(ctx: Context, command: c.AddKeyResult) -> KeyResultAdded:
    parent = lookup.objective(ctx, command.objective)
    require_manage(ctx, place_of(ctx, parent), "O", {parent.owner_id}, ref=f"O{parent.number}")
    ctx.ensure_open(parent.period)
    measured = _measured(KEY_RESULT, "usage.okr.kr", measure=command.measure, direction=command.direction, start=command.start,
                         target=command.target, unit=command.unit)
    owner = member_for(ctx, command.owner) if command.owner else ctx.session.get(type(ctx.member), parent.owner_id)
    row = KeyResult(
        workspace_id=ctx.workspace.id, objective_id=parent.id, number=0, title=checked_title(command.title), start=measured.start or Decimal(0),
        target=measured.target, unit=measured.unit, measure=measured.measure, weight=command.weight or Decimal(1), owner_id=owner.id,
    )
    _tag(ctx, row, command.tags, [])
    lookup.insert_numbered(ctx.session, row, KeyResult.objective_id, parent.id)
    objective, key_result = lookup.key_result_picture(ctx, parent, row)
    return KeyResultAdded(objective, key_result)


def add_kpi(ctx: Context, command: c.AddKpi) -> KpiAdded:
    period = str(command.period or ctx.current_period)
    owner = member_for(ctx, command.owner) if command.owner else ctx.member
    place = place_new(ctx, command.placement, owner)
    require_manage(ctx, place, "K", {owner.id})
    ctx.ensure_open(period)
    measured = _measured(KPI, "usage.kpi.add", measure=command.measure, direction=command.direction, start=command.start,
                         target=command.target, unit=command.unit)
    row = Kpi(
        workspace_id=ctx.workspace.id, number=0, period=period, name=checked_title(command.name), target=measured.target, unit=measured.unit,
        measure=measured.measure, start=measured.start, weight=command.weight, direction=direction_of(measured.measure),
        perspective=command.perspective, owner_id=owner.id, level=place.level, team_id=place.team_id,
    )
    _tag(ctx, row, command.tags, [])
    lookup.insert_numbered(ctx.session, row, Kpi.workspace_id, ctx.workspace.id)
    return KpiAdded(lookup.kpi_picture(ctx, row), owner_weight_total(ctx, period, owner.id))


def _measured(kind: str, usage: str, **typed) -> Measurement:
    """The item's measurement, or the reason it cannot be measured, with the command's usage."""
    try:
        return measurement(kind, **typed)
    except UserError as error:
        error.params.setdefault("usage", usage)
        raise


def current_measurement(row: KeyResult | Kpi) -> Measurement:
    """What an item is measured by now (a key result's start only counts on its way to a target)."""
    start = row.start if row.measure in (INCREASE, DECREASE) else None
    return Measurement(row.measure, start, row.target, row.unit)


def owner_weight_total(ctx: Context, period: str, owner_id: int) -> Decimal:
    weights = ctx.session.exec(
        select(Kpi.weight).where(Kpi.workspace_id == ctx.workspace.id, Kpi.period == period, Kpi.owner_id == owner_id, Kpi.archived_at == None)  # noqa: E711
    ).all()
    return sum(weights, Decimal(0))


def edit_item(ctx: Context, command: c.EditItem) -> ItemEdited:
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
    _not_for(command, "target", "start", "weight", "direction", "perspective", "measure", "unit", "tags")
    row = lookup.objective(ctx, command.ref.number)
    require_manage(ctx, place_of(ctx, row), "O", {row.owner_id}, ref=str(command.ref))
    ctx.ensure_open(row.period)
    changes = []
    _replace(ctx, row, command, changes, "O")
    if command.title:
        changes.append(Change("title", row.title, checked_title(command.title)))
        row.title = checked_title(command.title)
    _move_period(ctx, row, command, changes)
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    return ItemEdited(str(command.ref), tuple(changes), objective=lookup.objective_picture(ctx, row))


def _edit_key_result(ctx: Context, command: c.EditItem) -> ItemEdited:
    _not_for(command, "perspective", "period")
    parent, row = lookup.key_result(ctx, command.ref)
    require_manage(ctx, place_of(ctx, parent), "O", {parent.owner_id}, ref=str(command.ref))
    ctx.ensure_open(parent.period)
    changes = []
    if command.title:
        changes.append(Change("title", row.title, checked_title(command.title)))
        row.title = checked_title(command.title)
    _remeasure(KEY_RESULT, row, command, changes, "usage.okr.edit")
    _tag(ctx, row, command.tags, changes)
    if command.weight is not None:
        changes.append(Change("weight", str(row.weight), str(command.weight)))
        row.weight = command.weight
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    objective, key_result = lookup.key_result_picture(ctx, parent, row)
    return ItemEdited(str(command.ref), tuple(changes), objective=objective, key_result=key_result)


def _edit_kpi(ctx: Context, command: c.EditItem) -> ItemEdited:
    row = lookup.kpi(ctx, command.ref.number)
    require_manage(ctx, place_of(ctx, row), "K", {row.owner_id}, ref=str(command.ref))
    ctx.ensure_open(row.period)
    changes = []
    _replace(ctx, row, command, changes, "K")
    if command.title:
        changes.append(Change("title", row.name, checked_title(command.title)))
        row.name = checked_title(command.title)
    _remeasure(KPI, row, command, changes, "usage.kpi.edit")
    _tag(ctx, row, command.tags, changes)
    row.direction = direction_of(row.measure)
    if command.weight is not None:
        changes.append(Change("weight", f"{row.weight}%", f"{command.weight}%"))
        row.weight = command.weight
    if command.perspective:
        changes.append(Change("perspective", row.perspective or "–", command.perspective))
        row.perspective = command.perspective
    _move_period(ctx, row, command, changes)
    _reassign(ctx, row, command, changes)
    ctx.session.flush()
    return ItemEdited(str(command.ref), tuple(changes), kpi=lookup.kpi_picture(ctx, row))


def _remeasure(kind: str, row: KeyResult | Kpi, command: c.EditItem, changes: list[Change], usage: str) -> None:
    """Apply a new target, start, type or unit; each change that results is reported, the unit's too."""
    if all(getattr(command, name) is None for name in ("target", "start", "measure", "direction", "unit")):
        return
    before = current_measurement(row)
    after = _measured(kind, usage, measure=command.measure, direction=command.direction, start=command.start, target=command.target,
                      unit=command.unit, current=before)
    if after.measure != before.measure:
        changes.append(Change("measure", before.measure, after.measure))
    if after.unit != before.unit:
        changes.append(Change("unit", before.unit, after.unit))
    if after.target != before.target:
        changes.append(Change("target", format_quantity(before.target, before.unit), format_quantity(after.target, after.unit)))
    if after.start != before.start and (after.start is not None or before.start is not None):
        changes.append(Change("start", format_quantity(before.start, before.unit), format_quantity(after.start, after.unit)))
    row.measure, row.target, row.unit = after.measure, after.target, after.unit
    row.start = after.start if kind == KPI else (after.start or Decimal(0))


def _tag(ctx: Context, row: KeyResult | Kpi, tags: c.Tags | None, changes: list[Change]) -> None:
    """The metric of the library an item measures (so insights can read it), its channel and segment."""
    if tags is None:
        return
    if tags.metric:
        found = ctx.runtime.metrics.find(tags.metric) if ctx.runtime else None
        if found is None:
            raise UserError("error.unknown_metric", value=tags.metric)
        tags = c.Tags(found.id, tags.channel, tags.segment)
    for name in ("metric", "channel", "segment"):
        value = getattr(tags, name)
        if value is not None and (value or None) != getattr(row, name):
            changes.append(Change(name, getattr(row, name) or "–", value or "–"))
            setattr(row, name, value or None)


def _replace(ctx: Context, row: Objective | Kpi, command: c.EditItem, changes: list[Change], kind: str) -> None:
    """A new team, level or owner: the asker must be allowed to put the item there too."""
    if not command.placement.given() and not command.owner:
        return
    owner = member_for(ctx, command.owner) if command.owner else ctx.session.get(Member, row.owner_id)
    before = place_of(ctx, row)
    after = place_changed(ctx, command.placement, row, owner)
    require_manage(ctx, after, kind, {owner.id}, ref=str(command.ref))
    if (after.level, after.team_id) != (before.level, before.team_id):
        changes.append(Change("place", _place_label(ctx, before), _place_label(ctx, after)))
        row.level, row.team_id = after.level, after.team_id


def _place_label(ctx: Context, place: Place) -> str:
    level = ctx.text(f"level.{place.level}")
    return f"{level} · {place.team_name}" if place.team_name else level


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
    """An objective or key result that others are aligned to is archived only once the asker
    has been told what happens to them (they stand on their own) and confirmed."""
    ref = command.ref
    if ref.kind == "O":
        row = lookup.objective(ctx, ref.number)
        require_manage(ctx, place_of(ctx, row), "O", {row.owner_id}, ref=str(ref))
        title = row.title
        below = select(KeyResult.id).where(KeyResult.objective_id == row.id)
        aligned = (col(Objective.parent_objective_id) == row.id) | col(Objective.parent_key_result_id).in_(below)
    elif ref.kind == "KR":
        parent, row = lookup.key_result(ctx, ref)
        require_manage(ctx, place_of(ctx, parent), "O", {parent.owner_id}, ref=str(ref))
        title = row.title
        aligned = col(Objective.parent_key_result_id) == row.id
    else:
        row = lookup.kpi(ctx, ref.number)
        require_manage(ctx, place_of(ctx, row), "K", {row.owner_id}, ref=str(ref))
        title = row.name
        aligned = None
    children = [] if aligned is None else list(ctx.session.exec(
        select(Objective).where(aligned, col(Objective.archived_at).is_(None)).order_by(Objective.number)).all())
    refs = tuple(f"O{child.number}" for child in children)
    if children and not command.confirmed:
        raise UserError("error.archive_has_aligned", ref=str(ref), children=", ".join(refs), count=len(refs))
    for child in children:
        child.parent_objective_id = child.parent_key_result_id = None
    row.archived_at = ctx.now
    return ItemArchived(str(ref), title, unaligned=refs)


@dataclass(frozen=True)
class ObjectiveCarried:
    source: str
    objective: object  # ObjectiveView
    period: str


def carry_objective(ctx: Context, command: c.CarryObjective) -> ObjectiveCarried:
    """Copy an unfinished objective and its key results into the next period (a closed period
    stays as it was: this is how work goes on after it)."""
    source = lookup.objective(ctx, command.number)
    require_manage(ctx, place_of(ctx, source), "O", {source.owner_id}, ref=f"O{source.number}")
    target_period = str(parse_period(source.period).next())
    ctx.ensure_open(target_period)
    copy = Objective(workspace_id=ctx.workspace.id, number=0, period=target_period, title=source.title, owner_id=source.owner_id,
                     created_by=ctx.member.id, carried_from=source.id, created_at=ctx.now, level=source.level, team_id=source.team_id)
    lookup.insert_numbered(ctx.session, copy, Objective.workspace_id, ctx.workspace.id)
    krs = ctx.session.exec(
        select(KeyResult).where(KeyResult.objective_id == source.id, col(KeyResult.archived_at).is_(None)).order_by(KeyResult.number)
    ).all()
    for kr in krs:
        ctx.session.add(KeyResult(workspace_id=ctx.workspace.id, objective_id=copy.id, number=kr.number, title=kr.title, start=kr.start,
                                  target=kr.target, unit=kr.unit, measure=kr.measure, weight=kr.weight, owner_id=kr.owner_id,
                                  created_at=ctx.now))
    ctx.session.flush()
    return ObjectiveCarried(f"O{source.number}", lookup.objective_picture(ctx, copy), target_period)
