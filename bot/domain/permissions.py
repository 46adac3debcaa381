"""Who may do what: one table, read by every service and printed in the README (a test keeps
the two the same).

A person's relation to the thing acted on decides, not their role alone: the lead of Growth
manages Growth's goals and nobody else's; a member manages their own personal objectives.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.alignment import COMPANY, PERSON, TEAM

# How the person asking stands to the item or team, from the strongest claim down.
OWNER = "owner"  # the workspace's owner
MANAGER = "manager"
LEAD = "lead"  # leads the team the item (or digest) belongs to
OWN = "own"  # owns the item (or its objective)
OTHER_LEAD = "other_lead"  # leads another team, nothing more
OTHER = "other"  # a member with no part in it
RELATIONS = (OWNER, MANAGER, LEAD, OTHER_LEAD, OWN, OTHER)

MANAGE_COMPANY_ITEM = "manage_company_item"
MANAGE_TEAM_ITEM = "manage_team_item"
MANAGE_PERSONAL_OBJECTIVE = "manage_personal_objective"
MANAGE_PERSONAL_KPI = "manage_personal_kpi"
CHECK_IN = "check_in"
MANAGE_TEAMS = "manage_teams"
MANAGE_TEAM_MEMBERS = "manage_team_members"
TEAM_DIGEST = "team_digest"
COMPANY_DIGEST = "company_digest"
MANAGE_SOURCES = "manage_sources"

MATRIX: dict[str, frozenset[str]] = {
    MANAGE_COMPANY_ITEM: frozenset({OWNER, MANAGER}),
    MANAGE_TEAM_ITEM: frozenset({OWNER, MANAGER, LEAD}),
    MANAGE_PERSONAL_OBJECTIVE: frozenset({OWNER, MANAGER, LEAD, OWN}),
    MANAGE_PERSONAL_KPI: frozenset({OWNER, MANAGER, LEAD}),  # KPIs weigh on pay: set with someone, not by oneself
    CHECK_IN: frozenset({OWNER, MANAGER, LEAD, OWN}),
    MANAGE_TEAMS: frozenset({OWNER, MANAGER}),
    MANAGE_TEAM_MEMBERS: frozenset({OWNER, MANAGER, LEAD}),
    TEAM_DIGEST: frozenset({OWNER, MANAGER, LEAD}),
    COMPANY_DIGEST: frozenset({OWNER, MANAGER}),
    MANAGE_SOURCES: frozenset({OWNER, MANAGER}),  # a source reaches outside with stored secrets
}


@dataclass(frozen=True)
class Standing:
    """The person asking: their workspace role and the teams they lead."""

    member_id: int
    role: str  # owner, manager, member
    leads: frozenset[int] = frozenset()  # team ids


@dataclass(frozen=True)
class Scope:
    """What is acted on: an item's level and team and the people who own it, or a team."""

    team_id: int | None = None
    owners: frozenset[int] = frozenset()  # member ids: the item's owner (and its objective's, for a key result)


def relation(standing: Standing, scope: Scope) -> str:
    if standing.role == "owner":
        return OWNER
    if standing.role == "manager":
        return MANAGER
    if scope.team_id is not None and scope.team_id in standing.leads:
        return LEAD
    if standing.member_id in scope.owners:
        return OWN
    return OTHER_LEAD if standing.leads else OTHER


def allowed(action: str, standing: Standing, scope: Scope) -> bool:
    return relation(standing, scope) in MATRIX[action]


def manage_action(level: str, kind: str) -> str:
    """The action of adding, changing, aligning or archiving an item at `level` ("O" or "K")."""
    if level == TEAM:
        return MANAGE_TEAM_ITEM
    if level == PERSON:
        return MANAGE_PERSONAL_KPI if kind == "K" else MANAGE_PERSONAL_OBJECTIVE
    assert level == COMPANY, level
    return MANAGE_COMPANY_ITEM
