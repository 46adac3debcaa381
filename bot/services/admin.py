"""Roles, members and workspace settings."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.views import Person
from bot.services.context import Context, member_for
from bot.services.results import MemberList, RoleSet, SettingsShown
from bot.store.models import Member

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
    for key, value in command.changes.items():
        if key == "timezone":
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
        else:
            setattr(workspace, key, value)
    settings = {
        "cycle": workspace.cycle, "cap": workspace.score_cap, "language": workspace.language,
        "updates": workspace.updates_channel, "timezone": workspace.timezone or "UTC", "period": str(ctx.current_period),
        "reminders": workspace.reminders, "reminder_days": workspace.reminder_days, "weekends": workspace.weekend_reminders,
        "charts": workspace.charts,
    }
    return SettingsShown(settings, tuple(command.changes))
