"""Scheduled digests end to end: a signed `/digest` command, two `serve` processes on one
database, the emulator receiving exactly one digest with its chart at the local minute."""

import os
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from support.slack_requests import SlackSender, reply_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def digests_to(emulator, channel):
    return [c for c in emulator.calls_to("chat.postMessage") if c.args.get("channel") == channel and "Weekly digest" in c.args.get("text", "")]


def test_a_subscription_posts_one_digest_at_the_local_minute_from_two_processes(servers_on_one_database, emulator):
    _, (first, second) = servers_on_one_database(2, SCHEDULER_INTERVAL_SECONDS="1")
    emulator.reset()
    slack = SlackSender(first + "/slack/events", team_id="TDIGEST")
    assert "Asia/Shanghai" in reply_text(slack.command("/perf", "settings timezone=Asia/Shanghai reminders=off"))
    slack.command("/okr", "add Raise brand awareness")
    slack.command("/okr", "kr O1 Articles target=12")
    slack.command("/checkin", "KR1.1 4 on-track")
    if datetime.now(SHANGHAI).second > 50:  # subscribe for this very minute, not one about to pass
        time.sleep(61 - datetime.now(SHANGHAI).second)
    now = datetime.now(SHANGHAI)
    reply = reply_text(SlackSender(second + "/slack/events", team_id="TDIGEST").command(
        "/digest", f"weekly <#CDIGEST|marketing> {WEEKDAYS[now.weekday()]} {now:%H:%M}"))
    assert "Subscribed" in reply and "Asia/Shanghai" in reply
    assert emulator.wait_for(lambda e: digests_to(e, "CDIGEST"), timeout=20)
    time.sleep(3)  # both processes tick every second: give the other one time to post twice, if it could
    [digest] = digests_to(emulator, "CDIGEST")
    assert "O1" in digest.args["text"] and "Raise brand awareness" in digest.args["text"]
    assert emulator.wait_for(lambda e: e.uploaded_files(), timeout=10)
    [(_, png, complete)] = emulator.uploaded_files()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and complete["channel_id"] == "CDIGEST"


def test_digest_now_and_the_cli_show_the_same_digest(slack: SlackSender, emulator, server_db):
    slack.command("/okr", "add Raise brand awareness")
    slack.command("/okr", "kr O1 Articles target=12")
    slack.command("/checkin", "KR1.1 4 on-track")
    response = slack.command("/digest", "now", response_url=emulator.response_url("now"))
    assert "Preparing" in response.json()["text"]
    assert emulator.wait_for(lambda e: e.responses("now"), timeout=15)
    posted = emulator.responses("now")[0]["text"].replace("*", "")
    env = {**os.environ, "DATABASE_URL": server_db}
    printed = subprocess.run([sys.executable, "-m", "bot", "digest", "--team", slack.team_id, "--no-chart"], capture_output=True,
                             text=True, env=env, timeout=60, check=True).stdout
    for line in printed.splitlines()[:4]:
        assert line.replace("@owner", "<@UOWNER>") in posted, line
