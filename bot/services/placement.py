"""Where an item belongs (company, a team, a person) and who may therefore touch it.

When a command does not say, the item goes where its author would put it: a manager's to the
company, a team lead's to the team they lead, a member's to themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import commands as c
from bot.domain import permissions as p
from bot.domain.alignment import COMPANY, PERSON, TEAM
from bot.domain.errors import UserError
from bot.services.context import Context
from bot.services.teams import find_team, teams_of_member
from bot.store.models import KeyResult, Kpi, Member, Objective, Team


@dataclass(frozen=True)
class Place:
    level: str
    team: Team | None

    @property
    def team_id(self) -> int | None:
        return self.team.id if self.team else None

    @property
    def team_name(self) -> str:
        return self.team.name if self.team else ""


def place_new(ctx: Context, placement: c.Placement, owner: Member) -> Place:
    """Where a new item goes, from what the command said and who asks."""
    team = find_team(ctx, placement.team) if placement.team else None
    level = placement.level
    if level is None:
        if team is not None:
            level = TEAM
        elif placement.team == "" or ctx.is_manager:
            level = COMPANY
        else:  # a lead of one team plans for it; anyone else for themselves
            level = TEAM if len(ctx.standing().leads) == 1 else PERSON
    return _settled(ctx, level, team, owner)


def place_changed(ctx: Context, placement: c.Placement, row: Objective | Kpi, owner: Member) -> Place:
    """Where an edited item goes: what the edit says, else where it is."""
    current = place_of(ctx, row)
    if not placement.given():
        return current
    team = find_team(ctx, placement.team) if placement.team else (None if placement.team == "" else current.team)
    level = placement.level or (TEAM if team is not None and placement.team else COMPANY if placement.team == "" else current.level)
    if level == COMPANY:
        team = None
    return _settled(ctx, level, team, owner)


def _settled(ctx: Context, level: str, team: Team | None, owner: Member) -> Place:
    if level == COMPANY:
        return Place(COMPANY, None)
    if level == TEAM and team is None:
        leads = ctx.standing().leads
        if len(leads) != 1:
            raise UserError("error.team_needed")
        team = ctx.session.get(Team, next(iter(leads)))
    if level == PERSON and team is None:  # a person's goal sits in their team, when they have one
        theirs = teams_of_member(ctx.session, owner.id)
        team = ctx.session.get(Team, theirs[0]) if len(theirs) == 1 else None
    return Place(level, team)


def place_of(ctx: Context, row: Objective | Kpi) -> Place:
    return Place(row.level, ctx.session.get(Team, row.team_id) if row.team_id else None)


def require_manage(ctx: Context, place: Place, kind: str, owner_ids: set[int], ref: str = "") -> None:
    """May the asker add, change, align or archive an item here (kind "O" or "K")?"""
    ctx.require(p.manage_action(place.level, kind), p.Scope(place.team_id, frozenset(owner_ids)), team=place.team_name,
                ref=ref, action="okr.add" if kind == "O" else "kpi.add")


def require_check_in(ctx: Context, ref: str, item: KeyResult | Kpi, objective: Objective | None) -> None:
    owners = {item.owner_id} | ({objective.owner_id} if objective is not None else set())
    team_id = objective.team_id if objective is not None else item.team_id
    ctx.require(p.CHECK_IN, p.Scope(team_id, frozenset(owners)), ref=ref)
