"""kill -9 in the middle of a fan-out, then a restart: every digest is posted exactly once.

Real processes (`python -m bot serve` with its clock), a real database, the Slack emulator
slowed down so the fan-out is caught half-way. The first process is killed with SIGKILL while
it posts; the second takes over the claims it left behind after their lease.
"""

import os
import signal
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, select

from bench.fanout import populate
from bot.store.models import Send
from support.servers import start_server, stop_server
from support.slack_requests import SIGNING_SECRET

DIGESTS = 120


def test_kill_nine_mid_fan_out_then_restart_posts_each_digest_once(engine, emulator):
    emulator.reset()
    now = datetime.now(timezone.utc)
    if now.hour == 23 and now.minute >= 58:  # the test needs the slot to stay "today" in UTC
        time.sleep((60 - now.minute) * 60 - now.second + 5)
        now = datetime.now(timezone.utc)
    channels = populate(engine, DIGESTS, charts=False, prefix="TK", now=now - timedelta(seconds=1))
    env = dict(SCHEDULER="true", SCHEDULER_INTERVAL_SECONDS="1", DELIVERY_THREADS="8", SEND_LEASE_SECONDS="2",
               SLACK_SIGNING_SECRET=SIGNING_SECRET)
    emulator.post_delay = 0.05
    try:
        first, _ = start_server(emulator, engine.url.render_as_string(hide_password=False), **env)
        assert emulator.wait_for(lambda e: len(e.calls_to("chat.postMessage")) >= 30, timeout=60)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        posted_before = len(emulator.calls_to("chat.postMessage"))
        assert posted_before < DIGESTS, "the fan-out finished before the kill; slow the emulator down"
        emulator.post_delay = 0.0
        second, _ = start_server(emulator, engine.url.render_as_string(hide_password=False), **env)
        try:
            done = emulator.wait_for(lambda e: {c.args["channel"] for c in e.calls_to("chat.postMessage")} >= set(channels), timeout=90)
            time.sleep(4)  # a few more ticks, in case anything would go out twice
        finally:
            log = stop_server(second)
        assert done, f"not every digest went out after the restart; the second server said:\n{log[-4000:]}"
    finally:
        emulator.post_delay = 0.0
    counts = Counter(c.args["channel"] for c in emulator.calls_to("chat.postMessage"))
    assert {channel: counts[channel] for channel in channels} == {channel: 1 for channel in channels}
    with Session(engine) as session:
        states = Counter(row.status for row in session.exec(select(Send).where(Send.kind == "weekly")).all())
    assert states == {"sent": DIGESTS}
