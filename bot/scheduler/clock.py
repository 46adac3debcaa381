"""APScheduler is only the clock: each process ticks every minute and asks the database
what is due (APScheduler 3 cannot share a job store between processes, and need not)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.scheduler.deliver import Deliverer

log = logging.getLogger(__name__)


def start_clock(deliverer: Deliverer, interval_seconds: float = 60) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=timezone.utc)
    scheduler.add_job(
        _safe_tick, IntervalTrigger(seconds=interval_seconds), args=(deliverer,), id="due-sends",
        coalesce=True, max_instances=1, misfire_grace_time=int(interval_seconds), next_run_time=datetime.now(timezone.utc),
    )
    scheduler.start()
    log.info("scheduler started: due sends checked every %ss", interval_seconds)
    return scheduler


def _safe_tick(deliverer: Deliverer) -> None:
    try:
        deliverer.tick()
    except Exception:
        log.exception("scheduler tick failed; the next one will try again")
