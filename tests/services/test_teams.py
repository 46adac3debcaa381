"""Teams and alignment through the command language on a real database: a three-level tree
checked in by six people in two teams gives the pinned roll-ups; teams, lists, scorecards and
digests per team; archiving a parent asks first."""

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from bot.services.digests import build_digest
from bot.store.models import Objective, TeamMember, Workspace
from support.db import table_counts

TREE = """/perf team add Growth lead=@maria
/perf team Growth add @alice @bob
/perf team add Brand lead=@lin
/perf team Brand add @carol @dan
/okr add Grow the pipeline
/okr kr O1 Qualified leads target=1000
/okr kr O1 Win rate start=20% target=30%
/okr add Double sign-ups team=Growth owner=@maria
/okr kr O2 Sign-ups target=400 owner=@maria
/okr kr O2 Activation rate target=40% owner=@bob
/okr align O2 KR1.1 weight=2
/okr add Brand reach team=Brand owner=@lin
/okr kr O3 Impressions target=1000000 owner=@carol
/okr kr O3 Press coverage target=10 owner=@lin
/okr align O3 KR1.1
@alice /okr add Webinar series level=personal
@alice /okr kr O4 Webinars held target=6
@alice /okr align O4 O2
@dan /okr add Press features level=personal
@dan /okr kr O5 Articles placed target=8
@lin /okr align O5 KR3.2
/kpi add Leads target=400 weight=60% team=Growth owner=@maria
/kpi add MQLs target=100 weight=40% team=Growth owner=@maria
@maria /kpi add Webinar sign-ups target=200 weight=100% level=personal owner=@alice
/kpi add Share of voice target=20% weight=100% team=Brand owner=@lin
/checkin KR1.2 25%
@maria /checkin KR2.1 200
@bob /checkin KR2.2 30%
@alice /checkin KR4.1 3
@carol /checkin KR3.1 250000
@dan /checkin KR5.1 6
@maria /checkin K1 300
@maria /checkin K2 110
@alice /checkin K3 150
@lin /checkin K4 15%"""


@pytest.fixture
def tree(console):
    for line in TREE.splitlines():
        reply = console(line)
        assert not reply.startswith("⚠️"), f"{line}: {reply}"
    return console


def test_three_levels_checked_in_by_six_people_roll_up_to_the_pinned_numbers(tree, engine):
    shown = tree("/okr show O1")
    assert "progress 53%" in shown  # (55.6% + 50%) / 2 = 52.8%
    assert "KR1.1 56%" in shown and "from O2, O3" in shown  # (2 × 58.3% + 50%) / 3 = 55.6%
    assert "progress 58%" in tree("/okr show O2")  # (50% + 75% + O4 50%) / 3
    assert "progress 50%" in tree("/okr show O3")  # (25% + KR3.2 ← O5 75%) / 2
    with Session(engine) as session:
        workspace = session.exec(select(Workspace)).one()
        digest = build_digest(session, workspace, datetime.now(timezone.utc)).digest
    progress = {t.objective.ref: t.objective.progress for t in digest.objectives}
    third = Decimal(1) / 3
    assert progress["O2"] == (Decimal("0.5") + Decimal("0.75") + Decimal("0.5")) * third
    assert abs(progress["O1"] - ((2 * progress["O2"] + Decimal("0.5")) * third + Decimal("0.5")) / 2) < Decimal("1e-25")
    assert progress["O3"] == Decimal("0.5") and progress["O5"] == Decimal("0.75")
    rows = {row.name: row for row in digest.teams}
    assert digest.okr_progress == progress["O1"]  # the company's own objectives hold the rest
    assert rows["Growth"].okr_progress == progress["O2"] and rows["Brand"].okr_progress == progress["O3"]
    assert rows["Growth"].kpi_score == (60 * Decimal("0.75") + 40 * Decimal("1.1") + 100 * Decimal("0.75")) / 200  # 82%
    assert rows["Brand"].kpi_score == Decimal("0.75")


def test_team_views_show_the_team_only(tree):
    listing = tree("/okr list team=growth")
    assert "Objectives · Growth" in listing and "Double sign-ups" in listing and "Webinar series" in listing
    assert "Brand reach" not in listing and "Grow the pipeline" not in listing
    scorecard = tree("/scorecard team=Growth")
    assert "Weighted score: 82\n" in scorecard and "Share of voice" not in scorecard
    assert "Weighted score: 89\n" in tree("/scorecard team=Growth @maria")  # 60% × 75% + 40% × 110%
    growth_tree = tree("/okr tree team=Growth")
    assert "Grow the pipeline" in growth_tree and "Double sign-ups" in growth_tree and "Brand reach" not in growth_tree
    assert "There is no team `Nope`" in tree("/okr list team=Nope")


def test_a_team_digest_holds_its_goals_and_tells_its_lead_who_is_quiet(tree):
    team_digest = tree("/digest now team=Brand")
    assert "Weekly digest · Brand" in team_digest and "Brand reach" in team_digest and "Double sign-ups" not in team_digest
    company = tree("/digest now")
    assert "Teams\n• Brand · OKR 50% · KPI 75 · lead @lin\n• Growth · OKR 58% · KPI 82 · lead @maria" in company


def test_a_rolled_up_key_result_takes_no_checkin_of_its_own(tree, engine):
    before = table_counts(engine)
    reply = tree("/checkin KR1.1 500")
    assert "takes its progress from the objectives aligned to it (O2, O3)" in reply
    assert table_counts(engine) == before


def test_no_cycles_and_the_same_period_only(tree, engine):
    before = table_counts(engine)
    assert "go round in a circle" in tree("/okr align O1 KR4.1")
    assert "go round in a circle" in tree("/okr align O2 O4")
    tree("/okr add Next year's plan period=2027-Q1")
    assert "align objectives of the same period" in tree("/okr align O6 KR1.1")
    assert table_counts(engine) == {**before, "objective": before["objective"] + 1}


def test_archiving_a_parent_asks_first_then_frees_its_children(tree, engine):
    asked = tree("/okr archive O2")
    assert "Aligned to O2: O4" in asked and "/okr archive O2 confirm" in asked
    with Session(engine) as session:
        assert session.exec(select(Objective).where(Objective.number == 2)).one().archived_at is None
    done = tree("/okr archive O2 confirm")
    assert "stand on their own: O4" in done
    assert "aligned to" not in tree("/okr show O4").split("\n")[0]
    assert "O4 50%" in tree("/okr tree")  # a root now, its progress kept


def test_a_team_with_goals_is_not_removed_and_an_empty_one_is(tree, engine):
    assert "still has 2 open objectives, 3 open KPIs" in tree("/perf team remove Growth")
    tree("/perf team add Events lead=@eve")
    assert "Team Events removed" in tree("/perf team remove Events")
    assert "Team Events added" in tree("/perf team add Events")  # the name is free again
    with Session(engine) as session:
        assert session.exec(select(TeamMember)).all()  # Growth's and Brand's members are still there


def test_teams_work_in_chinese(runtime):
    from bot.console.app import Console, ConsoleUser

    shell = Console(runtime, ConsoleUser(team="TZH", name="owner", language="zh"))
    assert "已添加团队 增长组" in shell.execute("/perf 团队 添加 增长组 负责人=@maria")
    assert "已加入：@alice" in shell.execute("/perf 团队 增长组 添加 @alice")
    assert "· 增长组" in shell.execute("/okr add 注册量翻倍 团队=增长组 负责人=@maria")
    assert "原本就没有对齐" in shell.execute("/okr 对齐 O1 off")
    assert "只有 增长组 的负责人" in shell.execute("@lin /okr edit O1 标题=我的")
