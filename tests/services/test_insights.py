"""Insights through the commands and a real database: on demand, in the digest, dismissed and
snoozed, told once while the numbers stay the same, and in the period-end summary."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import time_machine
from sqlmodel import Session, select

from bot.console.app import Console, ConsoleUser
from bot.domain.periods import parse_period
from bot.services.digests import build_digest, build_period_end
from bot.services.insights import mark_reported
from bot.store.models import Workspace

START = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)  # a Monday in 2026-Q4


def weekly(console, lines_by_week: list[list[str]]) -> None:
    """Check-ins a week apart, as a team enters them."""
    for week, lines in enumerate(lines_by_week):
        with time_machine.travel(START + timedelta(days=7 * week), tick=False):
            for line in lines:
                assert "Checked in" in console(line), line


def traffic_and_conversion(console) -> None:
    with time_machine.travel(START - timedelta(days=1), tick=False):
        console("/kpi add Website visits target=20000 weight=50% metric=traffic")
        console("/kpi add Conversion rate target=3% weight=50% metric=客户转化率")
    weekly(console, [["/checkin K1 10000", "/checkin K2 2.1%"], ["/checkin K1 12000", "/checkin K2 2.0%"],
                     ["/checkin K1 15000", "/checkin K2 2.1%"]])


def test_traffic_up_and_conversion_flat_is_explained_with_its_numbers(console):
    traffic_and_conversion(console)
    with time_machine.travel(START + timedelta(days=15), tick=False):
        listed = console("/perf insights")
    assert "Website visits rose from 10,000 to 15,000" in listed and "2.1% to 2.1%" in listed
    assert "Improve the product pages or the offer" in listed and "traffic_up_conversion_flat" in listed


def test_no_insight_from_too_few_check_ins(console):
    with time_machine.travel(START - timedelta(days=1), tick=False):
        console("/kpi add Website visits target=20000 weight=50% metric=traffic")
        console("/kpi add Conversion rate target=3% weight=50% metric=conversion_rate")
    weekly(console, [["/checkin K1 10000", "/checkin K2 2.1%"], ["/checkin K1 15000", "/checkin K2 2.1%"]])
    with time_machine.travel(START + timedelta(days=8), tick=False):
        assert "Nothing stands out" in console("/perf insights")


def test_returns_by_channel_and_tags_through_the_commands(console):
    with time_machine.travel(START - timedelta(days=1), tick=False):
        assert "Douyin" in console("/kpi add ROAS Douyin target=3 weight=50% metric=roas channel=Douyin")
        console("/kpi add ROAS Xiaohongshu target=3 weight=50%")
        assert "channel – → Xiaohongshu" in console("/kpi edit K2 metric=ROAS 渠道=Xiaohongshu")
        assert "not a metric of the library" in console("/kpi edit K2 metric=vibes")
    weekly(console, [["/checkin K1 3.9", "/checkin K2 2.0"], ["/checkin K1 4.2", "/checkin K2 1.8"]])
    with time_machine.travel(START + timedelta(days=8), tick=False):
        listed = console("/perf insights")
    assert "is 4.2 in Douyin but 1.8 in Xiaohongshu" in listed and "Move budget from Xiaohongshu toward Douyin" in listed


def test_dismissed_and_snoozed_insights_leave_the_list(console):
    traffic_and_conversion(console)
    with time_machine.travel(START + timedelta(days=15), tick=False):
        listed = console("/perf insights")
        code = listed.split("dismiss ")[1].split("`")[0]
        assert "Snoozed until 2026-12-01" in console(f"/perf insights snooze {code} 14")
        assert "Nothing stands out" in console("/perf insights")
        assert "traffic_up_conversion_flat" in console("/perf insights all")
    with time_machine.travel(START + timedelta(days=30), tick=False):
        assert "traffic_up_conversion_flat" in console("/perf insights")  # the snooze is over
        assert "It will not be shown again" in console(f"/perf insights dismiss {code}")
        assert "Nothing stands out" in console("/perf insights")
    assert "No insight has the code" in console("/perf insights dismiss zzzzz")


def test_a_digest_tells_an_insight_once_while_its_numbers_stay_the_same(console, runtime):
    traffic_and_conversion(console)
    now = START + timedelta(days=15)
    with Session(runtime.engine) as session:
        workspace = session.exec(select(Workspace)).one()
        first = build_digest(session, workspace, now, rules=runtime.insights).digest.insights
    assert [i.rule for i in first] == ["traffic_up_conversion_flat"]
    mark_reported(runtime.engine, workspace.id, first, now)
    with Session(runtime.engine) as session:
        assert build_digest(session, workspace, now + timedelta(days=7), rules=runtime.insights).digest.insights == ()
    weekly(console, [[], [], [], ["/checkin K1 18000"]])  # the numbers move: it is news again
    with Session(runtime.engine) as session:
        again = build_digest(session, workspace, START + timedelta(days=22), rules=runtime.insights).digest.insights
    assert [i.rule for i in again] == ["traffic_up_conversion_flat"]


def test_the_period_end_says_what_to_change_and_maps_scores_to_bonus_tiers(console, runtime):
    traffic_and_conversion(console)
    console("/perf settings bonus=100%:100%,70%:50%")
    with Session(runtime.engine) as session:
        workspace = session.exec(select(Workspace)).one()
        ready = build_period_end(session, workspace, parse_period("2026-Q4"), datetime(2026, 12, 31, 18, tzinfo=timezone.utc),
                                 rules=runtime.insights)
    from bot.render.text import Renderer

    text = Renderer(runtime.catalog).result(ready, "en")
    assert "What to change next period" in text and "Website visits rose" in text
    assert "@owner: score 72.5 → 50% of the bonus" in text


def test_a_kit_workspace_with_three_weeks_of_check_ins_shows_insights_in_both_languages(runtime):
    """The advisor's kit for a product company growing steadily, applied, then three weeks of numbers."""
    shells = {lang: Console(runtime, ConsoleUser(team="TKIT", name="owner", language=lang)) for lang in ("en", "zh")}
    say = shells["en"].execute
    with time_machine.travel(START - timedelta(days=1), tick=False):
        say("/advise size=12 business=product resources=limited goal=growth")
        applied = say("/advise apply")
    refs = {line.split()[2]: line.split()[1] for line in applied.splitlines() if line.startswith("• K")}
    conversion, leads = refs["Conversion"], refs["Leads"]
    with time_machine.travel(START - timedelta(days=1), tick=False):
        say("/kpi add Website visits target=20000 weight=10% metric=traffic")
    for week, (visits, rate, lead_count) in enumerate([(10000, "2.1%", 300), (12500, "2.0%", 420), (16000, "2.0%", 600)]):
        with time_machine.travel(START + timedelta(days=7 * week), tick=False):
            say(f"/checkin K6 {visits}")
            say(f"/checkin {conversion} {rate}")
            say(f"/checkin {leads} {lead_count}")
    with time_machine.travel(START + timedelta(days=15), tick=False):
        english = say("/digest now")
        chinese = shells["zh"].execute("/digest now")
    assert "Insights" in english and "Website visits rose from 10,000 to 16,000" in english
    assert "洞察" in chinese and "从 10,000 增长到 16,000" in chinese and "优化产品页面" in chinese


def test_a_broken_insight_rule_file_stops_the_bot_at_start(tmp_path):
    import os
    import subprocess
    import sys

    broken = tmp_path / "insights.toml"
    broken.write_text('[[insight]]\nid = "typo"\nkind = "stale"\nmetrics = []\nseverity = 1\nmin_points = 0\nmessage = "nowhere"\ndays = 3\n')
    done = subprocess.run([sys.executable, "-m", "bot", "console"], input="/perf help\n", capture_output=True, text=True, timeout=60,
                          env={**os.environ, "INSIGHT_RULES": str(broken), "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert done.returncode == 2 and "insight.nowhere" in done.stderr and str(broken) in done.stderr
