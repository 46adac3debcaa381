"""The clock, travelling through time: digests, period ends and reminders go out once, at
the right local minute, through the real Slack client against the emulator."""

from datetime import datetime, timezone

import pytest
import time_machine
from sqlmodel import Session, select

from bot.store.models import Send
from support.scheduling import LOS_ANGELES, PNG, SHANGHAI, local, posts_to, setup_workspace, tick


def test_the_weekly_digest_goes_out_once_at_the_local_minute_with_its_chart(say, deliverer, emulator):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 30, 8, 0))
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 11, 30, 8, 59))
    assert posts_to(emulator, "CMKT") == []
    tick(clock, local(SHANGHAI, 2026, 11, 30, 9, 0))
    tick(clock, local(SHANGHAI, 2026, 11, 30, 9, 1))
    tick(deliverer("two"), local(SHANGHAI, 2026, 11, 30, 9, 2))
    [post] = posts_to(emulator, "CMKT")
    assert "Weekly digest" in post.args["text"] and "O1" in post.args["text"] and len(post.args["blocks"]) <= 50
    [(_, png, complete)] = emulator.uploaded_files()
    assert png.startswith(PNG) and complete["channel_id"] == "CMKT"
    tick(clock, local(SHANGHAI, 2026, 12, 7, 9, 0))  # a week later: the next one
    assert len(posts_to(emulator, "CMKT")) == 2


def test_two_schedulers_on_one_database_post_one_digest(say, deliverer, emulator):
    import threading

    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 30, 8, 0))
    clocks = [deliverer(f"process-{n}") for n in range(4)]
    moment = local(SHANGHAI, 2026, 11, 30, 9, 0, 30)
    with time_machine.travel(moment, tick=False):
        threads = [threading.Thread(target=c.tick, args=(datetime.now(timezone.utc),)) for c in clocks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(posts_to(emulator, "CMKT")) == 1


@pytest.mark.parametrize("day, utc_hour", [(25, 16), (1, 17), (8, 17)])  # PDT before 1 Nov 2026, PST after
def test_local_time_holds_across_the_daylight_saving_change(say, deliverer, emulator, day, utc_hour):
    setup_workspace(say, "America/Los_Angeles", local(LOS_ANGELES, 2026, 10, 20, 8, 0), weekday="sun")
    month = 10 if day == 25 else 11
    clock = deliverer()
    tick(clock, datetime(2026, month, day, utc_hour - 1, 59, tzinfo=timezone.utc))
    assert posts_to(emulator, "CMKT") == []
    tick(clock, datetime(2026, month, day, utc_hour, 0, tzinfo=timezone.utc))
    assert len(posts_to(emulator, "CMKT")) == 1


def test_a_missed_slot_goes_out_later_that_day_or_is_recorded_as_skipped(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 30, 8, 0))
    tick(deliverer(), local(SHANGHAI, 2026, 11, 30, 15, 30))  # down from 9:00 to 15:30
    assert len(posts_to(emulator, "CMKT")) == 1
    tick(deliverer(), local(SHANGHAI, 2026, 12, 8, 10, 0))  # down all Monday 7 December
    assert len(posts_to(emulator, "CMKT")) == 1
    with Session(engine) as session:
        statuses = {row.key.rsplit(":", 1)[-1]: row.status for row in session.exec(select(Send).where(Send.kind == "weekly")).all()}
    assert statuses == {"2026-11-30": "sent", "2026-12-07": "skipped"}


def test_slack_errors_are_retried_and_the_digest_posted_once(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 30, 8, 0))
    emulator.fail_next("chat.postMessage", status=500)
    emulator.fail_next("chat.postMessage", status=429, retry_after=1)
    tick(deliverer(), local(SHANGHAI, 2026, 11, 30, 9, 0))
    assert len(posts_to(emulator, "CMKT")) == 1
    assert len([c for c in emulator.calls if c.method == "chat.postMessage" and not c.ok]) == 2


def test_a_send_that_keeps_failing_is_retried_with_backoff_and_recorded(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 30, 8, 0))
    emulator.fail_next("chat.postMessage", status=500, times=4)  # more than the client's own retries
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 11, 30, 9, 0))
    with Session(engine) as session:
        row = session.exec(select(Send).where(Send.kind == "weekly")).one()
        assert (row.status, row.attempts) == ("failed", 1) and "500" in row.last_error
    tick(clock, local(SHANGHAI, 2026, 11, 30, 9, 0, 10))  # before the backoff: nothing
    assert posts_to(emulator, "CMKT") == []
    tick(clock, local(SHANGHAI, 2026, 11, 30, 9, 1, 0))
    assert len(posts_to(emulator, "CMKT")) == 1
    with Session(engine) as session:
        row = session.exec(select(Send).where(Send.kind == "weekly")).one()
        assert (row.status, row.attempts) == ("sent", 2)


def test_the_period_end_summary_then_the_period_closes(say, deliverer, emulator):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 12, 1, 8, 0), weekday="mon", at="17:00")
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 12, 31, 17, 0))  # the quarter's last day, at the digest time
    summaries = [c for c in posts_to(emulator, "CMKT") if "Period-end summary" in c.args["text"]]
    assert len(summaries) == 1 and "grade 0.3" in summaries[0].args["text"] and "KPIs below target" in summaries[0].args["text"]
    tick(clock, local(SHANGHAI, 2027, 1, 1, 0, 5))
    with time_machine.travel(local(SHANGHAI, 2027, 1, 1, 9, 0), tick=False):
        assert "closed" in say("/okr edit KR1.1 target=20")
        assert "closed" in say("/checkin KR1.1 5")
        carried = say("/okr carry O1")
        assert "2027-Q1" in carried and "O2" in carried
        assert "KR2.1" in say("/okr list")


def test_month_ends_close_monthly_periods(say, deliverer, emulator):
    with time_machine.travel(local(SHANGHAI, 2026, 11, 20, 9, 0), tick=False):
        say("/perf settings cycle=monthly timezone=Asia/Shanghai reminders=off")
        say("/okr add November push")
    tick(deliverer(), local(SHANGHAI, 2026, 12, 1, 0, 1))
    with time_machine.travel(local(SHANGHAI, 2026, 12, 1, 9, 0), tick=False):
        assert "closed" in say("/okr edit O1 Renamed")


def test_reminders_once_a_day_on_weekdays_with_a_button_and_not_while_away(say, deliverer, emulator):
    with time_machine.travel(local(SHANGHAI, 2026, 11, 2, 9, 0), tick=False):
        say("/perf settings timezone=Asia/Shanghai")
        say("/okr add Brand")
        say("/okr kr O1 Articles target=12 owner=<@UALICE|alice>")
        say("/okr kr O1 Events target=4 owner=<@UBOB|bob>")
        say("<@UBOB|bob> /perf away until 2026-11-20")
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 11, 6, 10, 0))  # 4 days: not yet
    assert emulator.calls_to("conversations.open") == []
    tick(clock, local(SHANGHAI, 2026, 11, 10, 10, 0))  # 8 days: alice, not bob (away)
    tick(clock, local(SHANGHAI, 2026, 11, 10, 16, 0))
    reminders = [c for c in emulator.calls_to("chat.postMessage") if "check-in" in c.args.get("text", "")]
    assert [c.args["channel"] for c in reminders] == ["DUALICE"], [c.args["text"][:300] for c in reminders]
    assert any(e.get("action_id") == "checkin_open" for b in reminders[0].args["blocks"] if b["type"] == "actions" for e in b["elements"])
    tick(clock, local(SHANGHAI, 2026, 11, 14, 10, 0))  # Saturday: no reminders unless set
    assert len([c for c in emulator.calls_to("chat.postMessage") if "check-in" in c.args.get("text", "")]) == 1


def test_a_failed_reminder_is_retried_to_that_person_alone(say, deliverer, emulator, engine):
    with time_machine.travel(local(SHANGHAI, 2026, 11, 2, 9, 0), tick=False):
        say("/perf settings timezone=Asia/Shanghai")
        say("/okr add Brand")
        say("/okr kr O1 Articles target=12 owner=<@UALICE|alice>")
    emulator.fail_next("chat.postMessage", status=500, times=4)  # more than the client's own retries
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 11, 10, 10, 0))
    with Session(engine) as session:
        row = session.exec(select(Send).where(Send.kind == "reminder")).one()
        assert (row.status, row.target) == ("failed", "UALICE")
    tick(clock, local(SHANGHAI, 2026, 11, 10, 10, 2))  # past the backoff
    reminders = [c for c in emulator.calls_to("chat.postMessage") if c.ok and "check-in" in c.args.get("text", "")]
    assert [c.args["channel"] for c in reminders] == ["DUALICE"]
    with Session(engine) as session:
        assert session.exec(select(Send.status).where(Send.kind == "reminder")).one() == "sent"


def test_a_failed_reminder_is_dropped_once_its_items_are_checked_in(say, deliverer, emulator, engine):
    with time_machine.travel(local(SHANGHAI, 2026, 11, 2, 9, 0), tick=False):
        say("/perf settings timezone=Asia/Shanghai")
        say("/okr add Brand")
        say("/okr kr O1 Articles target=12 owner=<@UALICE|alice>")
    emulator.fail_next("chat.postMessage", status=500, times=4)
    clock = deliverer()
    tick(clock, local(SHANGHAI, 2026, 11, 10, 10, 0))
    with time_machine.travel(local(SHANGHAI, 2026, 11, 10, 10, 1), tick=False):
        say("<@UALICE|alice> /checkin KR1.1 3")
    tick(clock, local(SHANGHAI, 2026, 11, 10, 10, 2))
    assert [c for c in emulator.calls_to("chat.postMessage") if c.ok and "check-in" in c.args.get("text", "")] == []
    with Session(engine) as session:
        assert session.exec(select(Send.status).where(Send.kind == "reminder")).one() == "skipped"
