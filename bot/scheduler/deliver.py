"""One tick of the clock: post what is due, exactly once, and record how it went.

The same code runs in every bot process; the database decides who posts what.
"""

from __future__ import annotations

import logging
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from sqlmodel import select

from bot.domain.digest import stale_items_by_owner
from bot.domain.periods import parse_period, period_containing
from bot.render.text import Renderer
from bot.render.message import Button, Outgoing, digest_chart
from bot.scheduler.posting import PostFailed, Poster
from bot.services.context import workspace_cycle, workspace_zone
from bot.services.digests import build_digest, build_period_end
from bot.services.dispatch import reader_language
from bot.services.insights import mark_reported
from bot.services.source_runs import forget_notice, run_source
from bot.services.runtime import Runtime
from bot.services.sends import (
    UNVERIFIED, Due, claim, claim_key, close_finished_periods, due_sends, mark_failed, mark_sent, mark_skipped, mark_uninstalled,
    reclaim_abandoned, reclaim_failed,
)
from bot.store.database import queued_session
from bot.store.digest_queries import stale_candidates
from bot.store.models import Member, Workspace

log = logging.getLogger(__name__)


def instance_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Deliverer:
    """`threads` deliveries run at once: each waits mostly on Slack (a round trip, a 429's
    Retry-After), so one slow workspace must not hold up the 1,999 others due the same minute."""

    def __init__(self, runtime: Runtime, renderer: Renderer, poster: Poster, instance: str | None = None, threads: int = 8,
                 lease: timedelta = timedelta(minutes=5)) -> None:
        self.runtime = runtime
        self.engine = runtime.engine
        self.renderer = renderer
        self.poster = poster
        self.instance = instance or instance_name()
        self.threads = max(1, threads)
        self.lease = lease  # a claim still `sending` after this was left by a process that died

    def tick(self, now: datetime | None = None) -> None:
        now = now or datetime.now(timezone.utc)
        with queued_session(self.engine) as session:
            to_send, to_skip = due_sends(session, now)
        for due in to_skip:
            claim(self.engine, due, self.instance, now, status="skipped")
        again, unverified = reclaim_failed(self.engine, now, self.instance)
        abandoned = reclaim_abandoned(self.engine, now, self.instance, self.lease)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="deliver") as pool:
            jobs = [pool.submit(self.claim_and_deliver, due, now) for due in to_send]
            jobs += [pool.submit(self.deliver, due, now) for due in again]
            jobs += [pool.submit(self.recover, due, now) for due in (*abandoned, *unverified)]
        for job in jobs:
            if job.exception() is not None:  # recording the outcome failed too: say so, the clock goes on
                log.error("a delivery failed and could not be recorded", exc_info=job.exception())
        close_finished_periods(self.engine, now)

    def claim_and_deliver(self, due: Due, now: datetime) -> None:
        """Claimed just before it is posted, so a process that stops leaves the rest to others."""
        try:
            claimed = claim(self.engine, due, self.instance, now)
        except Exception:  # the database hiccuped: unclaimed, so the next tick tries again
            log.exception("claiming %s failed", due.key)
            return
        if claimed:
            self.deliver(due, now)

    def recover(self, due: Due, now: datetime) -> None:
        """A send a dead process had claimed: if its post is in the conversation (found by the
        send key in the message metadata), it is recorded as sent; only if not is it posted."""
        if due.kind not in ("reminders", "source"):  # a reminder run posts nothing itself; a source's check-in is keyed, so runs again safely
            with queued_session(self.engine) as session:
                team_id = session.get(Workspace, due.workspace_id).team_id
            try:
                found = self.poster.find_post(team_id, due.target, due.key, (due.claimed_at or due.slot_at) - timedelta(minutes=1))
            except PostFailed as failure:
                log.warning("looking for %s after a crash failed: %s", due.key, failure)
                self._failed(due, now, PostFailed(UNVERIFIED + str(failure), failure.retry_after, failure.revoked))
                return
            if found:
                log.info("%s was posted before a crash; recorded as sent, not posted again", due.key)
                mark_sent(self.engine, due.key, now)
                return
        self.deliver(due, now)

    def _failed(self, due: Due, now: datetime, failure: PostFailed) -> None:
        if failure.revoked:  # uninstalled or revoked: nothing more goes to this workspace, and this is not retried
            mark_uninstalled(self.engine, due.workspace_id, now)
            mark_failed(self.engine, due.key, str(failure), now, final=True)
            return
        mark_failed(self.engine, due.key, str(failure), now, failure.retry_after)

    def deliver(self, due: Due, now: datetime) -> None:
        try:
            if due.kind == "reminders":
                self.remind(due.workspace_id, now)
                mark_sent(self.engine, due.key, now)
                return
            if due.kind == "reminder":  # one person's reminder that failed: theirs alone, again
                self.remind(due.workspace_id, now, retry=due)
                return
            if due.kind == "source":
                self.refresh(due, now)
                return
            # Only the reads hold SQLite's writer lock: rendering and the chart come after, so a
            # busy minute of digests does not keep check-ins in this process waiting.
            with queued_session(self.engine, expire_on_commit=False) as session:
                workspace = session.get(Workspace, due.workspace_id)
                if due.kind == "weekly":
                    ready = build_digest(session, workspace, now, rules=self.runtime.insights, team_id=due.team_id)
                else:
                    summary = build_period_end(session, workspace, parse_period(due.period), now, rules=self.runtime.insights,
                                               team_id=due.team_id)
            language = reader_language(workspace.language, due.language)
            if due.kind == "weekly":
                message = Outgoing(language, "replies/digest_ready.j2", {"r": ready})
                chart = digest_chart(self.renderer, ready, language) if workspace.charts else None
            else:
                message, chart = Outgoing(language, "replies/period_end_ready.j2", {"r": summary}), None
            self.poster.post(workspace.team_id, due.target, message, chart, key=due.key)
            mark_sent(self.engine, due.key, now)
            if due.kind == "weekly":  # told once: the next digest repeats an insight only when its numbers change
                mark_reported(self.engine, workspace.id, ready.digest.insights, now, ready.digest.audience)
        except PostFailed as failure:
            log.warning("posting %s failed: %s", due.key, failure)
            self._failed(due, now, failure)
        except Exception as error:  # a bug must not stop the clock for every other workspace
            log.exception("building %s failed", due.key)
            mark_failed(self.engine, due.key, f"{type(error).__name__}: {error}", now)

    def refresh(self, due: Due, now: datetime) -> None:
        """A data source's run: its check-in is written once (keyed by the run); a failure is
        retried with backoff like a post, and its item's owner hears of it once per failing spell."""
        run = run_source(self.runtime, int(due.target), due.key, now)
        if run.ok:
            mark_sent(self.engine, due.key, now) if not run.skipped else mark_skipped(self.engine, due.key, now)
            return
        log.warning("source run %s failed: %s %s", due.key, run.problem.key, run.problem.params)
        if run.tell:
            reason = self.renderer.message(run.problem.key, run.language, "plain", **run.problem.params)  # escaped once, by the platform
            message = Outgoing(run.language, sentence="source.failed_dm", params={"ref": run.ref, "title": run.title, "reason": reason},
                               buttons=(Button("checkin", run.ref),))
            notice = f"source_failed:{due.workspace_id}:{due.target}:{run.failing_since:%Y%m%dT%H%M}"
            if claim_key(self.engine, due.workspace_id, notice, "notice", run.tell, self.instance, now):
                try:
                    self.poster.post(run.team_id, run.tell, message, key=notice)
                    mark_sent(self.engine, notice, now)
                except PostFailed as failure:
                    mark_failed(self.engine, notice, str(failure), now, final=True)
                    forget_notice(self.engine, int(due.target))  # told nobody: the next failing run tells
        mark_failed(self.engine, due.key, f"{run.problem.key}: {run.problem.params}", now)

    def remind(self, workspace_id: int, now: datetime, retry: Due | None = None) -> None:
        """A direct message per owner with stale items, at most one a day per person. `retry` is
        one person's reminder that failed earlier: it goes to them again if they still have
        stale items, and is recorded as skipped if they have since checked in."""
        with queued_session(self.engine, expire_on_commit=False) as session:  # read, then let go before claiming
            workspace = session.get(Workspace, workspace_id)
            today = now.astimezone(workspace_zone(workspace)).date()
            period = period_containing(today, workspace_cycle(workspace, today))
            members = {m.user_id: m for m in session.exec(select(Member).where(Member.workspace_id == workspace.id)).all()}
            candidates = stale_candidates(session, workspace, str(period))
        away = {m.user_id: m.unavailable_until for m in members.values() if m.unavailable_until}
        stale = stale_items_by_owner(candidates, now, today, workspace.reminder_days, away)
        if retry is not None:
            stale = {retry.target: stale[retry.target]} if retry.target in stale else {}
            if not stale:
                mark_skipped(self.engine, retry.key, now)
        for user_id, items in stale.items():
            key = retry.key if retry is not None else f"reminder:{workspace.id}:{user_id}:{today}"
            if retry is None and not claim_key(self.engine, workspace.id, key, "reminder", user_id, self.instance, now):
                continue
            member = members.get(user_id)
            language = reader_language(workspace.language, member.locale if member else None)
            message = Outgoing(language, "replies/reminder.j2", {"items": items, "days": workspace.reminder_days},
                               buttons=tuple(Button("checkin", item.ref) for item in items))
            try:
                self.poster.post(workspace.team_id, user_id, message, key=key)
                mark_sent(self.engine, key, now)
            except PostFailed as failure:
                self._failed(Due(workspace.id, "reminder", user_id, key, now, language, str(period)), now, failure)
                if failure.revoked:
                    return
