"""Roles, members, time away and workspace settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import col, func, select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.views import Person
from bot.domain.periods import shared_boundary
from bot.services.context import Context, member_for, workspace_cycle
from bot.services.results import CycleChange, MemberList, RoleSet, SettingsShown
from bot.store.models import Kpi, Member, Objective

ROLE_ORDER = {"owner": 0, "manager": 1, "member": 2}


def set_role(ctx: Context, command: c.SetRole) -> RoleSet:
    ctx.require_owner("role")
    member = member_for(ctx, command.member)
    if member.id == ctx.member.id and command.role != "owner" and _owner_count(ctx) == 1:
        raise UserError("error.last_owner")
    member.role = command.role
    return RoleSet(Person(member.user_id, member.name), command.role)


def _owner_count(ctx: Context) -> int:
    return len(ctx.session.exec(select(Member.id).where(Member.workspace_id == ctx.workspace.id, Member.role == "owner")).all())


def list_members(ctx: Context, _command: c.ListMembers) -> MemberList:
    members = ctx.session.exec(select(Member).where(Member.workspace_id == ctx.workspace.id)).all()
    ordered = sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.name.lower()))
    return MemberList(tuple((Person(m.user_id, m.name), m.role) for m in ordered))


def change_settings(ctx: Context, command: c.ChangeSettings) -> SettingsShown:
    if command.changes:
        ctx.require_owner("settings")
    workspace = ctx.workspace
    cycle_change = None
    for key, value in command.changes.items():
        if key == "cycle":
            cycle_change = _change_cycle(ctx, str(value))
        elif key == "timezone":
            try:
                ZoneInfo(str(value))
            except (ZoneInfoNotFoundError, ValueError):
                raise UserError("error.bad_timezone", value=value) from None
            workspace.timezone = str(value)
        elif key == "cap":
            workspace.score_cap = value
        elif key == "updates":
            workspace.updates_channel = value
        elif key == "weekends":
            workspace.weekend_reminders = value
        elif key == "okrs":
            workspace.okr_style = value
        elif key == "bonus":
            workspace.bonus_tiers = value or None
        else:
            setattr(workspace, key, value)
    settings = {
        "cycle": workspace.cycle, "cap": workspace.score_cap, "language": workspace.language,
        "updates": workspace.updates_channel, "timezone": workspace.timezone or "UTC", "period": str(ctx.current_period),
        "reminders": workspace.reminders, "reminder_days": workspace.reminder_days, "weekends": workspace.weekend_reminders,
        "charts": workspace.charts, "okrs": workspace.okr_style, "bonus": workspace.bonus_tiers,
        "next_cycle": workspace.next_cycle, "next_cycle_from": workspace.next_cycle_from,
    }
    return SettingsShown(settings, tuple(command.changes), cycle_change)


def _change_cycle(ctx: Context, cycle: str) -> CycleChange:
    """A new cycle takes effect at once when nothing is planned in the current period; otherwise
    from the first day both cycles start a period, so no objective or KPI disappears mid-period."""
    workspace = ctx.workspace
    now_in_force = workspace_cycle(workspace, ctx.today)
    period = str(ctx.current_period)
    if cycle == now_in_force:
        workspace.cycle, workspace.next_cycle, workspace.next_cycle_from = cycle, None, None
        return CycleChange(cycle, None, period, 0, 0)
    objectives = _count(ctx, Objective, period)
    kpis = _count(ctx, Kpi, period)
    if objectives == kpis == 0:
        workspace.cycle, workspace.next_cycle, workspace.next_cycle_from = cycle, None, None
        return CycleChange(cycle, None, str(ctx.current_period), 0, 0)
    workspace.cycle = now_in_force
    workspace.next_cycle, workspace.next_cycle_from = cycle, shared_boundary(ctx.today, now_in_force, cycle)
    return CycleChange(cycle, workspace.next_cycle_from, period, objectives, kpis)


def _count(ctx: Context, model, period: str) -> int:
    return ctx.session.exec(
        select(func.count()).select_from(model).where(model.workspace_id == ctx.workspace.id, model.period == period, col(model.archived_at).is_(None))
    ).one()


@dataclass(frozen=True)
class AwaySet:
    until: date | None


def set_away(ctx: Context, command: c.SetAway) -> AwaySet:
    if command.until is not None and command.until < ctx.today:
        raise UserError("error.away_in_past", value=command.until.isoformat())
    ctx.member.away_until = command.until
    return AwaySet(command.until)
