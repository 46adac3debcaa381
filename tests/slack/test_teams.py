"""Teams as Slack meets them: a team that follows a Slack user group, and a digest per team
posted exactly once by two `serve` replicas on one database."""

import time
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from support.slack_requests import SlackSender, reply_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TRANSPORTS = ("http", "socket")


def test_a_team_follows_its_slack_user_group(slack, emulator):
    emulator.set_usergroup("SGROWTH", ["UALICE", "UBOB"])
    created = reply_text(slack.command("/perf", "team add Growth lead=<@UMARIA|maria> group=<!subteam^SGROWTH|@growth-team>"))
    assert "Team Growth added" in created and "<@UALICE>" in created and "<@UBOB>" in created and "<@UMARIA>" in created
    assert emulator.calls_to("usergroups.users.list")[-1].args["usergroup"] == "SGROWTH"

    emulator.set_usergroup("SGROWTH", ["UALICE", "UCAROL"])  # Slack's group changes; its event says so
    slack.event({"type": "subteam_members_changed", "subteam_id": "SGROWTH", "team_id": slack.team_id,
                 "added_users": ["UCAROL"], "removed_users": ["UBOB"]}, event_id="EvGroup1")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        shown = reply_text(slack.command("/perf", "team Growth"))
        if "<@UCAROL>" in shown:
            break
        time.sleep(0.2)
    assert "<@UCAROL>" in shown and "<@UBOB>" not in shown
    assert "<@UMARIA>" in shown  # the lead was named by hand: the group's changes never drop her


def test_linking_a_group_slack_will_not_show_changes_nothing(slack, emulator):
    reply = reply_text(slack.command("/perf", "team add Brand group=<!subteam^SMISSING|@brand>"))
    assert "did not tell me" in reply
    assert "no team" in reply_text(slack.command("/perf", "team Brand")).lower()


def digests_to(emulator, channel):
    return [c for c in emulator.calls_to("chat.postMessage") if c.args.get("channel") == channel and "Weekly digest" in c.args.get("text", "")]


def test_each_team_gets_its_own_digest_once_from_two_replicas(servers_on_one_database, emulator):
    _, (first, second) = servers_on_one_database(2, SCHEDULER_INTERVAL_SECONDS="1")
    emulator.reset()
    slack = SlackSender(first + "/slack/events", team_id="TTEAMS")
    other = SlackSender(second + "/slack/events", team_id="TTEAMS")
    assert "Asia/Shanghai" in reply_text(slack.command("/perf", "settings timezone=Asia/Shanghai reminders=off"))
    slack.command("/perf", "team add Growth lead=<@UMARIA|maria>")
    slack.command("/perf", "team Growth add <@UALICE|alice> <@UBOB|bob>")
    slack.command("/perf", "team add Brand lead=<@ULIN|lin>")
    slack.command("/okr", "add Grow the pipeline")
    slack.command("/okr", "kr O1 Qualified leads target=1000")
    assert "O2" in reply_text(other.command("/okr", "add Double sign-ups team=Growth owner=<@UMARIA|maria>"))
    slack.command("/okr", "kr O2 Sign-ups target=400 owner=<@UALICE|alice>")
    slack.command("/okr", "kr O2 Activation rate target=40% owner=<@UBOB|bob>")
    slack.command("/okr", "align O2 KR1.1")
    slack.command("/okr", "add Brand reach team=Brand owner=<@ULIN|lin>")
    slack.command("/okr", "kr O3 Impressions target=1000 owner=<@ULIN|lin>")
    assert "200/400" in reply_text(slack.command("/checkin", "KR2.1 200", user="UALICE", user_name="alice"))
    if datetime.now(SHANGHAI).second > 45:  # subscribe for this very minute, not one about to pass
        time.sleep(61 - datetime.now(SHANGHAI).second)
    now = datetime.now(SHANGHAI)
    when = f"{WEEKDAYS[now.weekday()]} {now:%H:%M}"
    assert "Growth" in reply_text(slack.command("/digest", f"weekly <#CGROWTH|growth> team=Growth {when}", user="UMARIA", user_name="maria"))
    assert "Brand" in reply_text(other.command("/digest", f"weekly <#CBRAND|brand> team=Brand {when}"))
    assert "Subscribed" in reply_text(other.command("/digest", f"weekly <#CALL|marketing> {when}"))
    refused = reply_text(slack.command("/digest", f"weekly <#CX|x> team=Brand {when}", user="UMARIA", user_name="maria"))
    assert "Only the lead of Brand" in refused
    channels = ("CGROWTH", "CBRAND", "CALL")
    assert emulator.wait_for(lambda e: all(digests_to(e, c) for c in channels), timeout=30)
    time.sleep(3)  # both replicas tick every second: time enough to post anything twice, if they could
    counts = Counter(c.args["channel"] for c in emulator.calls_to("chat.postMessage") if "Weekly digest" in c.args.get("text", ""))
    assert {c: counts[c] for c in channels} == {"CGROWTH": 1, "CBRAND": 1, "CALL": 1}
    [growth] = digests_to(emulator, "CGROWTH")
    text = growth.args["text"]
    assert "Double sign-ups" in text and "Brand reach" not in text and "Grow the pipeline" not in text
    assert "<@UMARIA>: members of Growth who have not checked in" in text and "<@UBOB>" in text.split("have not checked in")[1]
    [company] = digests_to(emulator, "CALL")
    rows = company.args["text"].split("Teams", 1)[1]
    assert "Growth* · OKR 25%" in rows and "Brand* · OKR 0%" in rows
    assert "Grow the pipeline" in company.args["text"]


def test_a_team_name_cannot_ping_or_forge_a_link(slack):
    refused = reply_text(slack.command("/perf", "team add <!channel> lead=<@UMARIA|maria>"))
    assert "cannot be a team's name" in refused and "<!channel>" not in refused
    created = reply_text(slack.command("/perf", "team add R&D"))
    assert "R&amp;D" in created and "R&D" not in created
    listed = reply_text(slack.command("/okr", "add Patents team=r&d"))
    assert "R&amp;D" in listed
