"""Digest subscriptions, and the digest and period-end summary as of now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlmodel import Session, select

from bot.domain import commands as c
from bot.domain import permissions as p
from bot.domain.digest import Digest, PeriodEnd, assemble_digest, assemble_period_end
from bot.domain.errors import UserError
from bot.domain.periods import Period, period_containing
from bot.domain.words import is_channel_id
from bot.domain.schedule import WeeklySlot, at_local, format_clock, latest_weekly_slot
from bot.services import lookup
from bot.services.context import Context, workspace_cycle, workspace_zone
from bot.services.teams import find_team, team_names
from bot.store.digest_queries import digest_inputs
from bot.store.models import Subscription, Team, Workspace

@dataclass(frozen=True)
class SubscriptionView:
    number: int
    target: str  # "C…"/"#name" for a channel, "U…" for a person
    is_person: bool
    weekday: int
    at: str
    next_at: datetime  # local
    team: str | None = None  # a team's digest


@dataclass(frozen=True)
class DigestSubscribed:
    subscription: SubscriptionView
    timezone: str


@dataclass(frozen=True)
class DigestList:
    subscriptions: tuple[SubscriptionView, ...]
    timezone: str


@dataclass(frozen=True)
class DigestStopped:
    number: int


@dataclass(frozen=True)
class DigestReady:
    """The digest as of now, for `/digest now`, `python -m bot digest` and the scheduler."""

    digest: Digest
    team: str
    charts: bool


@dataclass(frozen=True)
class PeriodEndReady:
    summary: PeriodEnd
    team: str


def _view(workspace: Workspace, sub: Subscription, now: datetime, team: str | None = None) -> SubscriptionView:
    zone = workspace_zone(workspace)
    at = subscription_time(sub)
    last = latest_weekly_slot(WeeklySlot(sub.weekday, at), now, zone)
    upcoming = at_local(last.astimezone(zone).date() + timedelta(days=7), at, zone)
    return SubscriptionView(sub.number, sub.target, not is_channel(sub.target), sub.weekday, sub.at, upcoming.astimezone(zone), team)


def is_channel(target: str) -> bool:
    return is_channel_id(target)


def subscription_time(sub: Subscription) -> time:
    hour, minute = map(int, sub.at.split(":"))
    return time(hour, minute)


def _require_digest(ctx: Context, team: Team | None) -> None:
    if team is None:
        ctx.require(p.COMPANY_DIGEST, action="digest")
    else:
        ctx.require(p.TEAM_DIGEST, p.Scope(team_id=team.id), team=team.name)


def subscribe(ctx: Context, command: c.SubscribeDigest) -> DigestSubscribed:
    team = find_team(ctx, command.team) if command.team else None
    _require_digest(ctx, team)
    target = ctx.member.user_id if command.target == "me" else command.target
    at = format_clock(command.at)
    same = ctx.session.exec(select(Subscription.number).where(
        Subscription.workspace_id == ctx.workspace.id, Subscription.active == True, Subscription.target == target,  # noqa: E712
        Subscription.weekday == command.weekday, Subscription.at == at, Subscription.team_id == (team.id if team else None),
    )).first()
    if same is not None:
        raise UserError("error.duplicate_digest", number=same)
    row = Subscription(workspace_id=ctx.workspace.id, number=0, kind="weekly", target=target, weekday=command.weekday,
                       at=format_clock(command.at), language=ctx.language, created_by=ctx.member.id, created_at=ctx.now,
                       team_id=team.id if team else None)
    lookup.insert_numbered(ctx.session, row, Subscription.workspace_id, ctx.workspace.id)
    return DigestSubscribed(_view(ctx.workspace, row, ctx.now, team.name if team else None), ctx.workspace.timezone or "UTC")


def list_digests(ctx: Context, _command: c.ListDigests) -> DigestList:
    rows = ctx.session.exec(
        select(Subscription).where(Subscription.workspace_id == ctx.workspace.id, Subscription.active == True).order_by(Subscription.number)  # noqa: E712
    ).all()
    names = team_names(ctx.session, ctx.workspace.id)
    return DigestList(tuple(_view(ctx.workspace, r, ctx.now, names.get(r.team_id)) for r in rows), ctx.workspace.timezone or "UTC")


def stop_digest(ctx: Context, command: c.StopDigest) -> DigestStopped:
    row = ctx.session.exec(
        select(Subscription).where(Subscription.workspace_id == ctx.workspace.id, Subscription.number == command.number, Subscription.active == True)  # noqa: E712
    ).first()
    if row is None:
        raise UserError("error.unknown_digest", number=command.number)
    _require_digest(ctx, ctx.session.get(Team, row.team_id) if row.team_id else None)
    row.active = False
    return DigestStopped(command.number)


def build_digest(session: Session, workspace: Workspace, now: datetime, period: Period | None = None, rules: tuple = (),
                 team_id: int | None = None) -> DigestReady:
    """`rules`: the insight rules (the runtime's); without them the digest has no insights.
    `team_id`: that team's digest (a team removed since gives the company's)."""
    today = now.astimezone(workspace_zone(workspace)).date()
    period = period or period_containing(today, workspace_cycle(workspace, today))
    data = digest_inputs(session, workspace, str(period), now)
    digest = assemble_digest(period, today, now, data, rules, _team(data, team_id))
    return DigestReady(digest, workspace.name or workspace.team_id, workspace.charts)


def _team(data, team_id: int | None):
    return next((t for t in data.teams if t.team_id == team_id), None) if team_id is not None else None


def build_period_end(session: Session, workspace: Workspace, period: Period, now: datetime, rules: tuple = (),
                     team_id: int | None = None) -> PeriodEndReady:
    today = now.astimezone(workspace_zone(workspace)).date()
    data = digest_inputs(session, workspace, str(period), now)
    summary = assemble_period_end(period, data, rules, today, _team(data, team_id))
    return PeriodEndReady(summary, workspace.name or workspace.team_id)


def digest_now(ctx: Context, command: c.DigestNow) -> DigestReady:
    team = find_team(ctx, command.team) if command.team else None
    return build_digest(ctx.session, ctx.workspace, ctx.now, rules=ctx.runtime.insights if ctx.runtime else (),
                        team_id=team.id if team else None)


