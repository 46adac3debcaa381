"""Exactly once across crashes, and nothing to a workspace that uninstalled the app.

A process that dies between claiming a send and recording it leaves the claim `sending`. After
the lease, another process takes it over and first looks in the conversation for a post that
carries the send's key (message metadata); only if there is none does it post.
"""

from datetime import timedelta

from sqlmodel import Session, select

from bot.services.sends import claim, due_sends
from bot.store.database import queued_session
from bot.store.models import Send, Workspace
from support.scheduling import SHANGHAI, local, posts_to, setup_workspace, tick

MONDAY_9 = local(SHANGHAI, 2026, 11, 30, 9, 0, 10)


def due_now(engine):
    with queued_session(engine) as session:
        to_send, _ = due_sends(session, MONDAY_9)
    [due] = [d for d in to_send if d.kind == "weekly"]
    return due


def statuses(engine) -> dict[str, str]:
    with Session(engine) as session:
        return {row.kind: row.status for row in session.exec(select(Send)).all()}


def test_a_post_made_before_the_crash_is_recorded_not_posted_again(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 27, 8, 0))
    dead = deliverer("dead")
    due = due_now(engine)
    assert claim(engine, due, "dead", MONDAY_9)
    from bot.render.message import Outgoing

    dead.poster.post("T1", due.target, Outgoing("en", sentence="digest.preparing"), key=due.key)  # posted, then killed before recording it
    tick(deliverer("heir"), MONDAY_9 + timedelta(minutes=2))  # within the lease: the claim is left alone
    assert len(posts_to(emulator, "CMKT")) == 1 and statuses(engine)["weekly"] == "sending"
    tick(deliverer("heir"), MONDAY_9 + timedelta(minutes=6))
    assert len(posts_to(emulator, "CMKT")) == 1
    assert statuses(engine)["weekly"] == "sent"
    assert emulator.calls_to("conversations.history")


def test_a_claim_whose_post_never_went_out_is_posted_once(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 27, 8, 0))
    due = due_now(engine)
    assert claim(engine, due, "dead", MONDAY_9)  # claimed, then killed before posting
    for minutes in (6, 7, 8):
        tick(deliverer(f"heir-{minutes}"), MONDAY_9 + timedelta(minutes=minutes))
    [post] = posts_to(emulator, "CMKT")
    assert post.args["metadata"]["event_payload"]["key"] == due.key
    assert statuses(engine)["weekly"] == "sent"


def test_a_revoked_token_stops_every_send_and_is_not_retried(say, deliverer, emulator, engine):
    setup_workspace(say, "Asia/Shanghai", local(SHANGHAI, 2026, 11, 27, 8, 0))
    emulator.revoke("xoxb-test", "account_inactive")
    clock = deliverer()
    tick(clock, MONDAY_9)
    with Session(engine) as session:
        [send] = session.exec(select(Send).where(Send.kind == "weekly")).all()
        workspace = session.exec(select(Workspace)).one()
    assert send.status == "failed" and send.next_attempt_at is None and "account_inactive" in send.last_error
    assert workspace.uninstalled_at is not None
    calls = len(emulator.calls)
    for day in (0, 7, 14):
        tick(clock, MONDAY_9 + timedelta(days=day, minutes=30))
    assert len(emulator.calls) == calls  # nothing more is attempted for that workspace


def test_a_person_who_left_the_workspace_gets_no_reminder_and_is_not_quiet(say, deliverer, emulator, engine):
    import time_machine

    from bot.services.lifecycle import member_left

    with time_machine.travel(local(SHANGHAI, 2026, 11, 2, 9, 0), tick=False):
        say("/perf settings timezone=Asia/Shanghai")
        say("/okr add Brand")
        say("/okr kr O1 Articles target=12 owner=<@UALICE|alice>")
        say("/okr kr O1 Events target=4 owner=<@UBOB|bob>")
    member_left(engine, "T1", "UALICE", True, local(SHANGHAI, 2026, 11, 3, 9, 0))
    tick(deliverer(), local(SHANGHAI, 2026, 11, 10, 10, 0))
    reminded = {c.args["channel"] for c in emulator.calls_to("chat.postMessage")}
    assert reminded == {"DUBOB"}
    with time_machine.travel(local(SHANGHAI, 2026, 11, 10, 11, 0), tick=False):
        digest = say("/digest now")
    quiet = digest.split("Not checked in")[-1] if "Not checked in" in digest else digest
    assert "@bob" in quiet and "@alice" not in quiet
