from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

import pytest

from bot.domain import commands as c
from bot.domain.errors import UserError
from bot.domain.parsing import parse_command
from bot.domain.periods import Period
from bot.domain.quantities import Quantity


def test_the_umbrella_and_its_shortcuts_parse_the_same():
    assert parse_command("/perf", "okr add Raise awareness") == parse_command("/okr", "add Raise awareness")
    assert parse_command("/perf", "checkin KR1.1 4") == parse_command("/checkin", "KR1.1 4")
    assert parse_command("/perf", "") == c.Help()


def test_key_result_with_options_anywhere():
    parsed = parse_command("/okr", "kr O1 Publish articles target=12 in top media owner=@alice")
    assert parsed == c.AddKeyResult(1, "Publish articles in top media", Quantity(D(12)), owner=c.Mention("alice", "alice"))


def test_slack_mentions_carry_the_user_id():
    parsed = parse_command("/okr", "list <@U123ABC|alice>")
    assert parsed.owner == c.Mention("U123ABC", "alice")


def test_kpi_flags_and_perspective():
    parsed = parse_command("/kpi", "add Customer churn rate target=5% weight=20% lower-is-better perspective=customer")
    assert (parsed.name, parsed.direction, parsed.perspective, parsed.weight) == ("Customer churn rate", "lower", "customer", D(20))


def test_chinese_titles_keys_and_confidence_words():
    assert parse_command("/okr", "add 提升华东地区品牌知名度").title == "提升华东地区品牌知名度"
    kpi = parse_command("/kpi", "add 客户流失率 目标=5% 权重=20% 越低越好 视角=客户")
    assert (kpi.direction, kpi.perspective, kpi.target) == ("lower", "customer", Quantity(D(5), "%"))
    checkin = parse_command("/checkin", "KR1.1 5 有风险 渠道推进慢")
    assert (checkin.confidence, checkin.note) == ("at-risk", "渠道推进慢")
    assert parse_command("/checkin", "ＫＲ１.１ ５").ref == c.Ref("KR", 1, 1)


def test_checkin_without_confidence_keeps_the_note():
    parsed = parse_command("/checkin", "K1 12% closed the Q4 deal")
    assert parsed == c.CheckIn(c.Ref("K", 1), Quantity(D(12), "%"), None, "closed the Q4 deal")


def test_period_option():
    assert parse_command("/okr", "add Win 50 new distributors period=2027-Q1").period == Period(2027, quarter=1)


@pytest.mark.parametrize("command, text, key", [
    ("/okr", "fly O1", "error.unknown_subcommand"),
    ("/perf", "dance", "error.unknown_command"),
    ("/okr", "add", "error.missing_title"),
    ("/okr", "kr O1 Publish", "error.missing_option"),
    ("/okr", "kr X1 Publish target=3", "error.bad_ref"),
    ("/okr", "kr O1 Publish target=twelve", "error.not_a_number"),
    ("/okr", "kr O1 Cut churn start=5% target=5%", "error.target_equals_start"),
    ("/kpi", "add Sales target=15% weight=140%", "error.bad_weight"),
    ("/kpi", "add Sales target=15% weight=0", "error.bad_weight"),
    ("/kpi", "add Sales target=15%", "error.missing_option"),
    ("/kpi", "add Sales target=15% weight=10% perspective=vibes", "error.bad_perspective"),
    ("/okr", "add Win period=2026-Q9", "error.bad_period"),
    ("/okr", "add Win taget=3", "error.unknown_option"),
    ("/checkin", "KR1.1 lots", "error.not_a_number"),
    ("/checkin", "O1 5", "error.bad_ref"),
    ("/checkin", "KR1.1", "error.missing_value"),
    ("/okr", "show", "error.missing_argument"),
    ("/perf", "role @bob boss", "error.bad_role"),
    ("/okr", "edit KR1.1", "error.nothing_to_change"),
    ("/perf", "settings cycle=weekly", "error.bad_setting"),
])
def test_bad_input_names_what_is_wrong(command, text, key):
    with pytest.raises(UserError) as caught:
        parse_command(command, text)
    assert caught.value.key == key


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["/perf team", "/okr align", "/okr tree", "/okr add", "/kpi add", "/digest weekly", "/okr archive"]),
       st.lists(st.one_of(st.sampled_from(["add", "remove", "sync", "Growth", "增长组", "lead=@maria", "负责人=@li", "group=off",
                                           "group=<!subteam^S1|@g>", "team=Growth", "团队=增长组", "level=personal", "层级=个人",
                                           "level=nope", "O1", "KR1.2", "O4", "off", "weight=2", "weight=0", "confirm", "#c", "mon",
                                           "09:00", "team=<!channel>", "team=", "\"Brand China\"", "@alice", "x" * 70]),
                          st.text(max_size=12)), max_size=6))
def test_team_words_parse_to_a_command_or_a_friendly_error(command, words):
    """Whatever follows, the team, align and tree commands give a command or a UserError: never a crash."""
    name, _, head = command.partition(" ")
    try:
        parse_command(name, " ".join([head, *words]))
    except UserError:
        pass


def test_source_commands_in_both_languages():
    from bot.domain.source_commands import LinkSource, ListSources, StopSource, TestSource

    linked = parse_command("/kpi", "数据源 K1 csv <https://e.com/a.csv?x=1&amp;y=2|表格> 列=销售额 日期=日期 每小时 时间=07:30")
    assert isinstance(linked, LinkSource) and linked.spec.url == "https://e.com/a.csv?x=1&y=2"
    assert (linked.spec.column, linked.spec.date_column, linked.spec.schedule) == ("销售额", "日期", "hourly")
    sql = parse_command("/okr", 'source KR1.1 sql postgresql://r:p@db/w query="select sum(x) from t where d = current_date" 测试')
    assert sql.test and sql.spec.query == "select sum(x) from t where d = current_date" and sql.ref == c.Ref("KR", 1, 1)
    assert parse_command("/perf", "sources") == ListSources() and parse_command("/perf", "数据源 测试 2") == TestSource(2)
    assert parse_command("/perf", "source off 3") == StopSource(3)
    for text, key in (("source K1 ftp://x column=a", "source.error.bad_kind"), ("source K1 csv ftp://x column=a", "source.error.bad_url"),
                      ("source K1 json https://x", "error.missing_option"), ('source K1 json https://x path=$.a header=nocolon', "source.error.bad_header")):
        with pytest.raises(UserError) as refused:
            parse_command("/kpi", text)
        assert refused.value.key == key, text


@pytest.mark.parametrize("command, text, how", [
    ("/checkin", "", ("form", "checkin")), ("/okr", "添加", ("form", "objective")), ("/perf", "okr 新增", ("form", "objective")),
    ("/advise", "", ("form", "advice")), ("/perf", "digest 立即", ("later", "digest")), ("/digest", "now team=Growth", ("later", "digest")),
    ("/perf", "数据源 测试 3", ("later", "source")), ("/kpi", "source K1 csv https://x column=a test", ("later", "source")),
    ("/kpi", "source K1 csv https://x column=a", None), ("/okr", "add Grow", None), ("/checkin", "KR1.1 4", None),
])
def test_every_edge_asks_the_domain_how_a_command_is_answered(command, text, how):
    from bot.domain.parsing import answering

    assert answering(command, text) == how
