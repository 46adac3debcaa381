"""Who is asking, and the workspace they ask in: resolved once per command."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.domain.commands import Mention
from bot.domain.errors import UserError
from bot.domain import permissions as p
from bot.domain.periods import Period, cycle_on, period_containing
from bot.domain.schedule import zone_named
from bot.store.models import Member, PeriodState, Team, Workspace

if TYPE_CHECKING:
    from bot.services.runtime import Runtime

MANAGERS = ("owner", "manager")
DENIED = {
    p.MANAGE_COMPANY_ITEM: "error.company_items_managers",
    p.MANAGE_TEAM_ITEM: "error.team_items_lead",
    p.MANAGE_PERSONAL_OBJECTIVE: "error.personal_objective_own",
    p.MANAGE_PERSONAL_KPI: "error.personal_kpi_lead",
    p.CHECK_IN: "error.not_your_item",
    p.MANAGE_TEAMS: "error.managers_only",
    p.MANAGE_TEAM_MEMBERS: "error.team_members_lead",
    p.TEAM_DIGEST: "error.team_digest_lead",
    p.COMPANY_DIGEST: "error.managers_only",
    p.MANAGE_SOURCES: "error.managers_only",
}


@dataclass(frozen=True)
class Actor:
    """The person behind a command, as the edge (Slack, console, scheduler) knows them."""

    team_id: str
    user_id: str
    name: str = ""
    locale: str | None = None  # "zh-CN", "en-US"...: Slack's locale or the console's --lang
    team_name: str = ""
    team_timezone: str | None = None  # what Slack reports for the workspace, if known


@dataclass
class Context:
    session: Session
    workspace: Workspace
    member: Member
    now: datetime
    runtime: Runtime | None = None
    language: str = "en"  # the reader's: replies and anything the bot names for them
    _standing: p.Standing | None = field(default=None, repr=False)

    def text(self, key: str, **params: object) -> str:
        """A catalog sentence in the reader's language, for data the bot creates."""
        return self.runtime.catalog.text(self.language, key, **params) if self.runtime else key

    @property
    def today(self) -> date:
        return self.now.astimezone(workspace_zone(self.workspace)).date()

    @property
    def current_period(self) -> Period:
        return period_containing(self.today, workspace_cycle(self.workspace, self.today))

    @property
    def cap(self):
        """The workspace's score cap as a ratio (120% is 1.2)."""
        return self.workspace.score_cap / 100

    @property
    def is_manager(self) -> bool:
        return self.member.role in MANAGERS

    def require_manager(self, action: str) -> None:
        if not self.is_manager:
            raise UserError("error.managers_only", action=action)

    def require_owner(self, action: str) -> None:
        if self.member.role != "owner":
            raise UserError("error.owners_only", action=action)

    def standing(self) -> p.Standing:
        """The asker's role and the teams they lead, read once per command."""
        if self._standing is None or self._standing.member_id != self.member.id:  # a copy for another author re-reads
            leads = self.session.exec(select(Team.id).where(
                Team.workspace_id == self.workspace.id, Team.lead_id == self.member.id, Team.archived_at == None)  # noqa: E711
            ).all()
            self._standing = p.Standing(self.member.id, self.member.role, frozenset(leads))
        return self._standing

    def require(self, permission: str, scope: p.Scope = p.Scope(), **params: object) -> None:
        """Refuse, with the reason in the asker's words, what the permission matrix does not allow."""
        if not p.allowed(permission, self.standing(), scope):
            raise UserError(DENIED[permission], **params)

    def ensure_open(self, period: str) -> None:
        state = self.session.exec(
            select(PeriodState).where(PeriodState.workspace_id == self.workspace.id, PeriodState.period == period)
        ).first()
        if state is not None and state.closed_at is not None:
            raise UserError("error.period_closed", period=period)


def reader_language(workspace_language: str, locale: str | None) -> str:
    """The workspace's fixed language, else the reader's own: zh-* reads Chinese."""
    if workspace_language in ("en", "zh-CN"):
        return workspace_language
    return "zh-CN" if (locale or "").lower().startswith("zh") else "en"


def workspace_zone(workspace: Workspace) -> ZoneInfo:
    return zone_named(workspace.timezone)


def workspace_cycle(workspace: Workspace, day: date) -> str:
    return cycle_on(day, workspace.cycle, workspace.next_cycle, workspace.next_cycle_from)


def open_context(session: Session, actor: Actor, now: datetime | None = None) -> Context:
    """Find or create the workspace and the member; the first member of a workspace owns it."""
    workspace = find_or_create_workspace(session, actor)
    member = session.exec(select(Member).where(Member.workspace_id == workspace.id, Member.user_id == actor.user_id)).first()
    if member is None:
        has_owner = session.exec(select(Member.id).where(Member.workspace_id == workspace.id, Member.role == "owner")).first()
        member = Member(workspace_id=workspace.id, user_id=actor.user_id, name=actor.name or actor.user_id,
                        role="member" if has_owner else "owner", locale=actor.locale)
        session.add(member)
        session.flush()
    else:
        if actor.name and member.name != actor.name:
            member.name = actor.name
        if actor.locale and member.locale != actor.locale:
            member.locale = actor.locale
    return Context(session, workspace, member, now or datetime.now(timezone.utc))


def find_or_create_workspace(session: Session, actor: Actor) -> Workspace:
    workspace = session.exec(select(Workspace).where(Workspace.team_id == actor.team_id)).first()
    if workspace is not None:
        if workspace.uninstalled_at is not None:  # someone uses the app there again: it was reinstalled
            workspace.uninstalled_at = None
        return workspace
    try:
        with session.begin_nested():
            workspace = Workspace(team_id=actor.team_id, name=actor.team_name, timezone=actor.team_timezone)
            session.add(workspace)
    except IntegrityError:  # another request created it a moment ago
        workspace = session.exec(select(Workspace).where(Workspace.team_id == actor.team_id)).one()
    return workspace


def find_member(ctx: Context, user_id: str) -> Member | None:
    return ctx.session.exec(select(Member).where(Member.workspace_id == ctx.workspace.id, Member.user_id == user_id)).first()


def member_for(ctx: Context, mention: Mention) -> Member:
    """The member a mention names, added as a plain member the first time they are named."""
    member = find_member(ctx, mention.user_id)
    if member is None:
        member = Member(workspace_id=ctx.workspace.id, user_id=mention.user_id, name=mention.name or mention.user_id)
        ctx.session.add(member)
        ctx.session.flush()
    elif mention.name and member.name != mention.name:
        member.name = mention.name
    return member
