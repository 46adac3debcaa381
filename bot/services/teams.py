"""Teams inside a workspace: their lead, their members (by hand or kept in step with a Slack
user group), and finding the team an item or a digest names."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from bot.domain import commands as c
from bot.domain import permissions as p
from bot.domain.errors import UserError
from bot.domain.views import Person
from bot.domain.words import normalize
from bot.services.context import Context, member_for
from bot.store.database import queued_session
from bot.store.models import Kpi, Member, Objective, Subscription, Team, TeamMember, Workspace

log = logging.getLogger(__name__)


class GroupsUnavailable(Exception):
    """The platform could not say who is in a user group (no Slack here, a missing scope...)."""


class GroupDirectory(Protocol):
    """Who is in a user group, as the platform knows it: user ids."""

    def members(self, workspace: str, group_id: str) -> list[str]: ...


@dataclass(frozen=True)
class TeamView:
    name: str
    lead: Person | None
    members: tuple[Person, ...]
    group_handle: str | None = None
    group_id: str | None = None
    synced_at: datetime | None = None


@dataclass(frozen=True)
class TeamList:
    teams: tuple[TeamView, ...]


@dataclass(frozen=True)
class TeamDetail:
    team: TeamView
    added: tuple[Person, ...] = ()
    removed: tuple[Person, ...] = ()
    created: bool = False
    changes: tuple[str, ...] = ()  # "lead", "group", "name", "unlinked", "synced"


@dataclass(frozen=True)
class TeamRemoved:
    name: str


def name_key(name: str) -> str:
    return normalize(name)


def find_team(ctx: Context, name: str) -> Team:
    team = ctx.session.exec(select(Team).where(
        Team.workspace_id == ctx.workspace.id, Team.name_key == name_key(name), col(Team.archived_at).is_(None))).first()
    if team is None:
        known = ctx.session.exec(select(Team.name).where(Team.workspace_id == ctx.workspace.id, col(Team.archived_at).is_(None))
                                 .order_by(Team.name)).all()
        raise UserError("error.no_such_team", team=name[:60], known=", ".join(known) or "—")
    return team


def team_names(session: Session, workspace_id: int) -> dict[int, str]:
    return dict(session.exec(select(Team.id, Team.name).where(Team.workspace_id == workspace_id)).all())


def teams_of_member(session: Session, member_id: int) -> list[int]:
    return list(session.exec(select(TeamMember.team_id).join(Team, Team.id == TeamMember.team_id)
                             .where(TeamMember.member_id == member_id, col(Team.archived_at).is_(None))).all())


def list_teams(ctx: Context, _command: c.ListTeams) -> TeamList:
    teams = ctx.session.exec(select(Team).where(Team.workspace_id == ctx.workspace.id, col(Team.archived_at).is_(None))
                             .order_by(Team.name)).all()
    return TeamList(tuple(_team_view(ctx.session, team) for team in teams))


def show_team(ctx: Context, command: c.ShowTeam) -> TeamDetail:
    return TeamDetail(_team_view(ctx.session, find_team(ctx, command.name)))


def add_team(ctx: Context, command: c.AddTeam) -> TeamDetail:
    ctx.require(p.MANAGE_TEAMS, action="team")
    exists = ctx.session.exec(select(Team.id).where(Team.workspace_id == ctx.workspace.id, Team.name_key == name_key(command.name),
                                                   col(Team.archived_at).is_(None))).first()
    if exists is not None:
        raise UserError("error.team_exists", team=command.name)
    team = Team(workspace_id=ctx.workspace.id, name=command.name, name_key=name_key(command.name), created_at=ctx.now)
    ctx.session.add(team)
    ctx.session.flush()
    added: list[Person] = []
    if command.lead:
        lead = member_for(ctx, command.lead)
        team.lead_id = lead.id
        added += _add_members(ctx.session, team, [lead])
    if command.group:
        added += _link_group(ctx, team, command.group)
    ctx.session.flush()
    return TeamDetail(_team_view(ctx.session, team), added=tuple(added), created=True)


def change_team(ctx: Context, command: c.ChangeTeam) -> TeamDetail:
    team = find_team(ctx, command.name)
    changing_team_itself = command.lead or command.group or command.unlink_group or command.rename
    if changing_team_itself:
        ctx.require(p.MANAGE_TEAMS, action="team")
    else:
        ctx.require(p.MANAGE_TEAM_MEMBERS, p.Scope(team_id=team.id), team=team.name)
    changes: list[str] = []
    added = _add_members(ctx.session, team, [member_for(ctx, m) for m in command.add])
    removed = _remove_members(ctx.session, team, [member_for(ctx, m) for m in command.remove])
    if command.lead:
        lead = member_for(ctx, command.lead)
        team.lead_id = lead.id
        added += _add_members(ctx.session, team, [lead])
        changes.append("lead")
    if command.rename and command.rename != team.name:
        if ctx.session.exec(select(Team.id).where(Team.workspace_id == ctx.workspace.id, Team.name_key == name_key(command.rename),
                                                  Team.id != team.id, col(Team.archived_at).is_(None))).first():
            raise UserError("error.team_exists", team=command.rename)
        team.name, team.name_key = command.rename, name_key(command.rename)
        changes.append("name")
    if command.unlink_group and team.usergroup_id:
        team.usergroup_id = team.usergroup_handle = None
        # The group's members stay, now as if added by hand: unlinking removes nobody.
        for row in ctx.session.exec(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.from_group == True)).all():  # noqa: E712
            row.from_group = False
        changes.append("unlinked")
    if command.group:
        added += _link_group(ctx, team, command.group)
        changes.append("group")
    elif command.sync:
        if not team.usergroup_id:
            raise UserError("error.team_has_no_group", team=team.name)
        sync_added, sync_removed = _sync_group(ctx, team)
        added += sync_added
        removed += sync_removed
        changes.append("synced")
    ctx.session.flush()
    return TeamDetail(_team_view(ctx.session, team), tuple(added), tuple(removed), changes=tuple(changes))


def remove_team(ctx: Context, command: c.RemoveTeam) -> TeamRemoved:
    """A team with open goals or a digest is not removed: they would lose their place silently."""
    ctx.require(p.MANAGE_TEAMS, action="team")
    team = find_team(ctx, command.name)
    objectives = ctx.session.exec(select(func.count()).select_from(Objective).where(
        Objective.team_id == team.id, col(Objective.archived_at).is_(None))).one()
    kpis = ctx.session.exec(select(func.count()).select_from(Kpi).where(Kpi.team_id == team.id, col(Kpi.archived_at).is_(None))).one()
    digests = ctx.session.exec(select(Subscription.number).where(Subscription.team_id == team.id, Subscription.active == True)).all()  # noqa: E712
    if objectives or kpis or digests:
        raise UserError("error.team_in_use", team=team.name, objectives=objectives, kpis=kpis,
                        digests=", ".join(f"#{n}" for n in digests) or "—")
    team.archived_at = ctx.now
    team.name_key = f"{team.name_key}#{team.id}"[:60]  # the name is free for a new team
    if team.lead_id is not None:
        team.lead_id = None
    for row in ctx.session.exec(select(TeamMember).where(TeamMember.team_id == team.id)).all():
        ctx.session.delete(row)
    return TeamRemoved(team.name)


# -- members and user groups ----------------------------------------------------------------------

def _add_members(session: Session, team: Team, members: list[Member], from_group: bool = False) -> list[Person]:
    present = {row.member_id: row for row in session.exec(select(TeamMember).where(TeamMember.team_id == team.id)).all()}
    added = []
    for member in members:
        if member.id in present:
            if not from_group:
                present[member.id].from_group = False  # named by hand: stays if the group drops them
            continue
        row = TeamMember(workspace_id=team.workspace_id, team_id=team.id, member_id=member.id, from_group=from_group)
        session.add(row)
        present[member.id] = row
        added.append(Person(member.user_id, member.name or member.user_id))
    session.flush()
    return added


def _remove_members(session: Session, team: Team, members: list[Member], only_from_group: bool = False) -> list[Person]:
    removed = []
    for member in members:
        row = session.exec(select(TeamMember).where(TeamMember.team_id == team.id, TeamMember.member_id == member.id)).first()
        if row is None or (only_from_group and not row.from_group):
            continue
        session.delete(row)
        removed.append(Person(member.user_id, member.name or member.user_id))
        if team.lead_id == member.id and not only_from_group:
            team.lead_id = None
    session.flush()
    return removed


def _link_group(ctx: Context, team: Team, group: c.Group) -> list[Person]:
    team.usergroup_id, team.usergroup_handle = group.group_id, group.handle or None
    added, _ = _sync_group(ctx, team)
    return added


def _sync_group(ctx: Context, team: Team) -> tuple[list[Person], list[Person]]:
    directory = ctx.runtime.groups if ctx.runtime else None
    if directory is None:
        raise UserError("error.groups_need_slack")
    try:
        user_ids = directory.members(ctx.workspace.team_id, team.usergroup_id)
    except GroupsUnavailable as error:
        log.warning("reading user group %s of %s failed: %s", team.usergroup_id, ctx.workspace.team_id, error)
        raise UserError("error.group_unavailable", group=team.usergroup_handle or team.usergroup_id) from None
    return apply_group(ctx.session, team, user_ids, ctx.now)


def apply_group(session: Session, team: Team, user_ids: list[str], now: datetime) -> tuple[list[Person], list[Person]]:
    """Make the team's group members exactly the user group's; members added by hand stay."""
    wanted = [_member(session, team.workspace_id, user_id) for user_id in dict.fromkeys(user_ids)]
    wanted_ids = {m.id for m in wanted}
    rows = session.exec(select(TeamMember, Member).join(Member, Member.id == TeamMember.member_id)
                        .where(TeamMember.team_id == team.id, TeamMember.from_group == True)).all()  # noqa: E712
    gone = [member for row, member in rows if member.id not in wanted_ids]
    added = _add_members(session, team, wanted, from_group=True)
    removed = _remove_members(session, team, gone, only_from_group=True)
    team.synced_at = now
    return added, removed


def _member(session: Session, workspace_id: int, user_id: str) -> Member:
    member = session.exec(select(Member).where(Member.workspace_id == workspace_id, Member.user_id == user_id)).first()
    if member is None:
        member = Member(workspace_id=workspace_id, user_id=user_id, name=user_id)
        session.add(member)
        session.flush()
    return member


def group_changed(engine: Engine, slack_team: str, group_id: str, now: datetime, *, users: list[str] | None = None,
                  added: list[str] = (), removed: list[str] = ()) -> int:
    """A user group changed in Slack (`subteam_updated` gives its users, `subteam_members_changed`
    who came and went): every team linked to it follows. Returns how many teams did."""
    with queued_session(engine) as session:
        teams = session.exec(select(Team).join(Workspace, Workspace.id == Team.workspace_id).where(
            Workspace.team_id == slack_team, Team.usergroup_id == group_id, col(Team.archived_at).is_(None))).all()
        for team in teams:
            if users is not None:
                apply_group(session, team, users, now)
                continue
            _add_members(session, team, [_member(session, team.workspace_id, u) for u in dict.fromkeys(added)], from_group=True)
            _remove_members(session, team, [_member(session, team.workspace_id, u) for u in dict.fromkeys(removed)], only_from_group=True)
            team.synced_at = now
        session.commit()
        return len(teams)


def _team_view(session: Session, team: Team) -> TeamView:
    members = session.exec(select(Member).join(TeamMember, TeamMember.member_id == Member.id)
                           .where(TeamMember.team_id == team.id).order_by(Member.name)).all()
    lead = session.get(Member, team.lead_id) if team.lead_id else None
    return TeamView(team.name, Person(lead.user_id, lead.name or lead.user_id) if lead else None,
                    tuple(Person(m.user_id, m.name or m.user_id) for m in members), team.usergroup_handle, team.usergroup_id, team.synced_at)
