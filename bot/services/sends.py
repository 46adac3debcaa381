"""Which scheduled posts are due, and the exactly-once bookkeeping around posting them.

Every process asks the same question each minute; the `send` table answers it. A post is
claimed by inserting its unique key before anything is sent, so two processes, a restart or
a late clock tick can never post it twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.domain.periods import parse_period, period_containing
from bot.domain.sources import latest_slot, slot_label
from bot.domain.schedule import WeeklySlot, at_local, latest_daily_slot, latest_weekly_slot, parse_clock, same_local_day, week_label
from bot.services.context import workspace_cycle, workspace_zone
from bot.services.digests import subscription_time
from bot.store.database import queued_session
from bot.store.models import Kpi, Objective, PeriodState, Send, Source, Subscription, Workspace

MAX_ATTEMPTS = 5
BASE_BACKOFF = timedelta(seconds=30)
UNVERIFIED = "unverified: "  # a failed check for a post a dead process may have made; checked again, never blindly re-posted


@dataclass(frozen=True)
class Due:
    workspace_id: int
    kind: str  # weekly, period_end, reminders
    target: str  # channel or user id; "*" for a workspace's reminder run
    key: str
    slot_at: datetime
    language: str
    period: str
    legacy_key: str | None = None  # the key an older release gave the same post (one per target and week)
    claimed_at: datetime | None = None  # for a claim taken over from a process that died: when it was first taken
    team_id: int | None = None  # a team's digest or summary


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def candidate_sends(workspaces: list[Workspace], subscriptions: list[Subscription], now: datetime,
                    sources: list[Source] = ()) -> list[Due]:
    """Every slot that has come round (its latest occurrence), sent or not: pure. A data
    source's run is one more kind of send, claimed and retried the same way."""
    by_workspace: dict[int, list[Subscription]] = defaultdict(list)
    for sub in subscriptions:
        by_workspace[sub.workspace_id].append(sub)
    sources_of: dict[int, list[Source]] = defaultdict(list)
    for source in sources:
        sources_of[source.workspace_id].append(source)
    due: list[Due] = []
    for ws in workspaces:
        zone = workspace_zone(ws)
        today = now.astimezone(zone).date()
        period = period_containing(today, workspace_cycle(ws, today))
        day_before = period.start - timedelta(days=1)
        previous = period_containing(day_before, workspace_cycle(ws, day_before))
        for sub in by_workspace.get(ws.id, ()):
            created = _minute(sub.created_at)
            at = subscription_time(sub)
            slot = latest_weekly_slot(WeeklySlot(sub.weekday, at), now, zone)
            if slot >= created:
                slot_day = slot.astimezone(zone).date()
                slot_period = period_containing(slot_day, workspace_cycle(ws, slot_day))
                # Keyed by the subscription and its local date: two digests to one person on two days are two posts.
                due.append(Due(ws.id, "weekly", sub.target, f"weekly:{ws.id}:s{sub.id}:{slot_day.isoformat()}", slot, sub.language,
                               str(slot_period), legacy_key=f"weekly:{ws.id}:{sub.target}:{week_label(slot_day)}", team_id=sub.team_id))
            for closing in (previous, period):
                end_slot = at_local(closing.end, at, zone)
                if created <= end_slot <= now:  # one summary per target and team (a channel may follow two teams)
                    team = f":t{sub.team_id}" if sub.team_id else ""
                    due.append(Due(ws.id, "period_end", sub.target, f"period_end:{ws.id}:{sub.target}{team}:{closing}", end_slot, sub.language,
                                   str(closing), team_id=sub.team_id))
        for source in sources_of.get(ws.id, ()):
            slot = latest_slot(source.schedule, parse_clock(source.at), now, zone)
            if slot >= _minute(source.created_at):
                due.append(Due(ws.id, "source", str(source.id), f"source:{ws.id}:{source.id}:{slot_label(source.schedule, slot)}",
                               slot.astimezone(timezone.utc), ws.language, str(period)))
        if ws.reminders:
            slot = latest_daily_slot(parse_clock(ws.reminder_at), now, zone)
            if slot.astimezone(zone).weekday() < 5 or ws.weekend_reminders:
                due.append(Due(ws.id, "reminders", "*", f"reminders:{ws.id}:{slot.astimezone(zone).date()}", slot, ws.language, str(period)))
    return due


def due_sends(session: Session, now: datetime) -> tuple[list[Due], list[Due]]:
    """(to post now, to record as skipped): a slot missed while the bot was down still goes
    out if it is still that day in the workspace's time zone; later, it is skipped."""
    workspaces = list(session.exec(select(Workspace).where(col(Workspace.uninstalled_at).is_(None))).all())
    subscriptions = list(session.exec(select(Subscription).where(Subscription.active == True)).all())  # noqa: E712
    sources = list(session.exec(select(Source).where(Source.active == True)).all())  # noqa: E712
    candidates = candidate_sends(workspaces, subscriptions, now, sources)
    known = _existing_keys(session, [d.key for d in candidates])
    legacy = _legacy_slots(session, [d.legacy_key for d in candidates if d.legacy_key])
    zones = {ws.id: workspace_zone(ws) for ws in workspaces}
    fresh = [d for d in candidates if d.key not in known and legacy.get(d.legacy_key) != d.slot_at]
    return ([d for d in fresh if same_local_day(d.slot_at, now, zones[d.workspace_id])],
            [d for d in fresh if not same_local_day(d.slot_at, now, zones[d.workspace_id])])


def _existing_keys(session: Session, keys: list[str], chunk: int = 500) -> set[str]:
    found: set[str] = set()
    for i in range(0, len(keys), chunk):
        found.update(session.exec(select(Send.key).where(col(Send.key).in_(keys[i:i + chunk]))).all())
    return found


def _legacy_slots(session: Session, keys: list[str], chunk: int = 500) -> dict[str, datetime]:
    """Posts an older release keyed per target and week, with the slot each was for."""
    found: dict[str, datetime] = {}
    for i in range(0, len(keys), chunk):
        found.update(session.exec(select(Send.key, Send.slot_at).where(col(Send.key).in_(keys[i:i + chunk]))).all())
    return found


def claim(engine: Engine, due: Due, instance: str, now: datetime, *, status: str = "sending") -> bool:
    """Insert the send's row; only the process whose insert wins may post it."""
    with queued_session(engine) as session:
        session.add(Send(workspace_id=due.workspace_id, key=due.key, kind=due.kind, target=due.target, period=due.period,
                         language=due.language, status=status, slot_at=due.slot_at, claimed_by=instance, claimed_at=now,
                         sent_at=None, next_attempt_at=None, attempts=0 if status == "skipped" else 1, team_id=due.team_id))
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
            return False


def claim_key(engine: Engine, workspace_id: int, key: str, kind: str, target: str, instance: str, now: datetime) -> bool:
    return claim(engine, Due(workspace_id, kind, target, key, now, "", ""), instance, now)


def mark_sent(engine: Engine, key: str, now: datetime) -> None:
    _settle(engine, key, status="sent", sent_at=now)


def mark_skipped(engine: Engine, key: str, now: datetime) -> None:
    """A retry found nothing left to send (the person checked in meanwhile)."""
    _settle(engine, key, status="skipped")


def _settle(engine: Engine, key: str, **values) -> None:
    """The send is done with: no error to keep, no attempt to come."""
    with queued_session(engine) as session:
        session.execute(update(Send).where(Send.key == key).values(**values, last_error=None, next_attempt_at=None))
        session.commit()


def mark_failed(engine: Engine, key: str, error: str, now: datetime, retry_after: float | None = None, final: bool = False) -> None:
    """Record the failure; try again later with backoff (honouring Retry-After) until MAX_ATTEMPTS
    (`final`: never, as when the workspace's token was revoked)."""
    with queued_session(engine) as session:
        row = session.exec(select(Send).where(Send.key == key)).one()
        backoff = max(BASE_BACKOFF * (2 ** (row.attempts - 1)), timedelta(seconds=retry_after or 0))
        row.status = "failed"
        row.last_error = error[:400]
        row.next_attempt_at = now + backoff if row.attempts < MAX_ATTEMPTS and not final else None
        session.add(row)
        session.commit()


def mark_uninstalled(engine: Engine, workspace_id: int, now: datetime) -> None:
    """The app was uninstalled or its tokens revoked: no send goes to this workspace any more."""
    with queued_session(engine) as session:
        session.execute(update(Workspace).where(Workspace.id == workspace_id, col(Workspace.uninstalled_at).is_(None))
                        .values(uninstalled_at=now))
        session.commit()


def reclaim_failed(engine: Engine, now: datetime, instance: str) -> tuple[list[Due], list[Due]]:
    """Failed sends whose next attempt has come, each taken by exactly one process: (to post
    again, to look for first). The second are posts a dead process may have made, whose check
    failed last time: they are looked for again, never re-posted without looking."""
    with queued_session(engine) as session:
        rows = session.exec(select(Send).where(Send.status == "failed", col(Send.next_attempt_at).is_not(None), col(Send.next_attempt_at) <= now)).all()
        again, unverified = [], []
        for row in rows:
            result = session.execute(
                update(Send).where(Send.id == row.id, Send.status == "failed")
                .values(status="sending", attempts=Send.attempts + 1, claimed_by=instance, next_attempt_at=None, claimed_at=now)
            )
            session.commit()
            if result.rowcount == 1:
                due = Due(row.workspace_id, row.kind, row.target, row.key, row.slot_at, row.language, row.period,
                          claimed_at=row.claimed_at or row.slot_at, team_id=row.team_id)
                (unverified if (row.last_error or "").startswith(UNVERIFIED) else again).append(due)
        return again, unverified


def reclaim_abandoned(engine: Engine, now: datetime, instance: str, lease: timedelta) -> list[Due]:
    """Claims left `sending` past their lease by a process that died (kill -9, a lost machine):
    each is taken over by exactly one process, which first looks for the post the dead one may
    have made before it posts (exactly once across crashes)."""
    cutoff = now - lease
    with queued_session(engine) as session:
        stale = session.exec(select(Send).where(
            Send.status == "sending",
            (col(Send.claimed_at) < cutoff) | (col(Send.claimed_at).is_(None) & (col(Send.slot_at) < cutoff)),
        )).all()
        taken = []
        for row in stale:
            result = session.execute(
                update(Send).where(Send.id == row.id, Send.status == "sending", Send.claimed_by == row.claimed_by,
                                   _same(Send.claimed_at, row.claimed_at))
                .values(claimed_at=now, claimed_by=instance, attempts=Send.attempts + 1)
            )
            session.commit()
            if result.rowcount == 1:
                taken.append(Due(row.workspace_id, row.kind, row.target, row.key, row.slot_at, row.language, row.period,
                                 claimed_at=row.claimed_at or row.slot_at, team_id=row.team_id))
        return taken


def _same(column, value):
    return column.is_(None) if value is None else column == value


def close_finished_periods(engine: Engine, now: datetime) -> list[tuple[int, str]]:
    """A period whose last day has passed locally becomes read-only (`/okr carry` moves work on)."""
    closed = []
    with queued_session(engine) as session:
        workspaces = session.exec(select(Workspace)).all()
        states = {(s.workspace_id, s.period) for s in session.exec(select(PeriodState).where(col(PeriodState.closed_at).is_not(None))).all()}
        used = set(session.exec(select(Objective.workspace_id, Objective.period).distinct()).all())
        used |= set(session.exec(select(Kpi.workspace_id, Kpi.period).distinct()).all())
        periods_of: dict[int, list[str]] = defaultdict(list)
        for workspace_id, period in used:
            periods_of[workspace_id].append(period)
        for ws in workspaces:
            today = now.astimezone(workspace_zone(ws)).date()
            for period in periods_of.get(ws.id, ()):
                if (ws.id, period) in states or parse_period(period).end >= today:
                    continue
                try:
                    with session.begin_nested():
                        session.add(PeriodState(workspace_id=ws.id, period=period, closed_at=now))
                    closed.append((ws.id, period))
                except IntegrityError:
                    pass
        session.commit()
    return closed
