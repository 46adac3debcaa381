"""Recording progress: appended, never overwritten, and recorded once per submission."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.limits import checked_note
from bot.domain.words import CONFIDENCES
from bot.domain.measures import Measurement, checked_actual
from bot.domain.views import Person
from bot.services import lookup
from bot.services.context import Context
from bot.services.goals import current_measurement
from bot.services.placement import require_check_in
from bot.services.results import CheckinRecorded
from bot.store.models import Checkin, KeyResult, Objective


def record_checkin(ctx: Context, command: c.CheckIn, *, source: str = "console", idempotency_key: str | None = None) -> CheckinRecorded:
    """A member checks in on items they own; a team lead on the team's; owners and managers on anyone's.

    `idempotency_key` names one submission (a modal's view id, a retried request): the
    second arrival records nothing and answers like the first.
    """
    if command.ref.kind == "KR":
        parent, item = lookup.key_result(ctx, command.ref)
        period = parent.period
        if item.target is None:
            raise UserError("error.target_not_set", ref=str(command.ref), edit="/okr edit" if command.ref.kind == "KR" else "/kpi edit")
    else:
        parent, item = None, lookup.kpi(ctx, command.ref.number)
        period = item.period
        if item.target is None:
            raise UserError("error.target_not_set", ref=str(command.ref), edit="/okr edit" if command.ref.kind == "KR" else "/kpi edit")
    require_check_in(ctx, str(command.ref), item, parent)
    if parent is not None:
        _refuse_rolled_up(ctx, str(command.ref), item)
    ctx.ensure_open(period)
    value, note = checked_values(command, current_measurement(item))
    duplicate = idempotency_key is not None and _already_recorded(ctx, idempotency_key)
    if not duplicate:
        row = Checkin(
            workspace_id=ctx.workspace.id, value=value, confidence=command.confidence, note=note,
            author_id=ctx.member.id, source=source, created_at=ctx.now, idempotency_key=idempotency_key,
            key_result_id=item.id if parent else None, kpi_id=None if parent else item.id,
        )
        if idempotency_key is None:
            ctx.session.add(row)
        else:
            try:
                with ctx.session.begin_nested():
                    ctx.session.add(row)
            except IntegrityError:  # the same submission won a race a moment ago
                duplicate = True
    author = Person(ctx.member.user_id, ctx.member.name)
    common = dict(ref=str(command.ref), author=author, note=note, confidence=command.confidence,
                  duplicate=duplicate, announce_to=ctx.workspace.updates_channel)
    if parent is not None:
        objective, key_result = lookup.key_result_picture(ctx, parent, item)
        return CheckinRecorded(key_result=key_result, objective=objective, **common)
    return CheckinRecorded(kpi=lookup.kpi_picture(ctx, item), **common)


def checked_values(command: c.CheckIn, measurement: Measurement) -> tuple[Decimal, str]:
    """The value as the item counts it and the note, or the refusal: the same rules on every path."""
    value = checked_actual(str(command.ref), measurement, command.value)
    note = checked_note(command.note)
    if command.confidence not in (None, *CONFIDENCES):
        raise UserError("error.unknown_confidence", word=str(command.confidence)[:40], ref=str(command.ref), value=str(command.value))
    return value, note


def _refuse_rolled_up(ctx: Context, ref: str, key_result: KeyResult) -> None:
    """A key result with objectives aligned to it takes its progress from them: a check-in of
    its own would be a second, contradicting number."""
    aligned = ctx.session.exec(select(Objective.number).where(
        Objective.parent_key_result_id == key_result.id, col(Objective.archived_at).is_(None)).order_by(Objective.number)).all()
    if aligned:
        raise UserError("error.rolled_up_checkin", ref=ref, children=", ".join(f"O{n}" for n in aligned))


def _already_recorded(ctx: Context, key: str) -> bool:
    return ctx.session.exec(select(Checkin.id).where(Checkin.idempotency_key == key)).first() is not None
