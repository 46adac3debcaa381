"""Insights from value series: the domain text's three examples and the others a marketing lead
expects, pinned as tables; and, as properties, no insight cites a number that is not in the
data, and none fires below its minimum of data."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from bot.domain.advisor_rules import RuleFileError
from bot.domain.insights import InsightItem, Point, find_insights, load_insight_rules
from bot.domain.views import Person

TODAY = date(2026, 11, 30)
ANN = Person("UANN", "ann")


def item(ref, metric, values, target=None, unit="", measure="increase", channel=None, missed=(), every=7, created=None):
    start = TODAY - timedelta(days=every * (len(values) - 1))
    series = tuple(Point(start + timedelta(days=every * n), D(str(v))) for n, v in enumerate(values))
    return InsightItem(ref, f"{metric} {channel or ''}".strip(), ANN, metric, channel, measure,
                       None if target is None else D(str(target)), unit, series, created or start, tuple(missed))


@pytest.fixture(scope="module")
def rules():
    return load_insight_rules()


def fired(rules, *items, today=TODAY) -> set[tuple[str, tuple[str, ...]]]:
    return {(i.rule, i.refs) for i in find_insights(items, rules, today)}


CASES = [
    # The domain text: traffic high but conversion low -> the product pages or the promotion.
    ("traffic up, conversion flat", [item("K1", "traffic", [10000, 12000, 15000], 20000), item("K2", "conversion_rate", [2.1, 2.0, 2.1], 3, "%")],
     {("traffic_up_conversion_flat", ("K1", "K2"))}),
    ("traffic up, conversion up too", [item("K1", "traffic", [10000, 12000, 15000]), item("K2", "conversion_rate", [2.0, 2.4, 2.6], unit="%")],
     set()),
    ("traffic up on two check-ins only", [item("K1", "traffic", [10000, 15000]), item("K2", "conversion_rate", [2.1, 2.0], unit="%")],
     set()),
    # The domain text: a product selling poorly at a high price -> a cheaper version or a bundle.
    ("price at target, sales below", [item("K1", "avg_order_value", [480, 520], 500, "¥"), item("K2", "sales_growth", [4, 3], 15, "%")],
     {("price_high_sales_low", ("K1", "K2"))}),
    ("price and sales both fine", [item("K1", "avg_order_value", [480, 520], 500, "¥"), item("K2", "sales_growth", [12, 16], 15, "%")],
     set()),
    ("one check-in is never enough", [item("K1", "avg_order_value", [520], 500, "¥"), item("K2", "sales_growth", [3], 15, "%")],
     set()),
    # The domain text: returns differ by channel -> move budget to the channel that returns more.
    ("ROAS 4.2 in Douyin, 1.8 in Xiaohongshu", [item("K1", "roas", [3.9, 4.2], channel="Douyin"), item("K2", "roas", [2.0, 1.8], channel="Xiaohongshu")],
     {("returns_differ_by_channel", ("K1", "K2"))}),
    ("ROAS close across channels", [item("K1", "roas", [3.9, 3.1], channel="Douyin"), item("K2", "roas", [2.9, 3.0], channel="Xiaohongshu")],
     set()),
    ("a channel's return falling three weeks", [item("K1", "roas", [4.0, 3.6, 3.1, 2.5], channel="Douyin")],
     {("channel_return_falling", ("K1",))}),
    ("falling, but within two weeks", [item("K1", "roas", [4.0, 3.6, 3.1, 2.5], channel="Douyin", every=4)], set()),
    ("leads up, qualified leads flat", [item("KR1.1", "leads", [300, 420, 600]), item("KR1.2", "mql_sql_rate", [20, 19, 20], unit="%")],
     {("leads_up_quality_flat", ("KR1.1", "KR1.2"))}),
    ("customer value under three times its cost", [item("K1", "clv", [2400, 2500], unit="¥"), item("K2", "cac", [1300, 1200], 1000, "¥", "decrease")],
     {("acquisition_too_costly", ("K1", "K2"))}),
    ("a KPI missed for two periods and behind now", [item("K1", "sales_growth", [6, 8], 15, "%", missed=(True, True))],
     {("kpi_missed_again", ("K1",))}),
    ("missed once only", [item("K1", "sales_growth", [6, 8], 15, "%", missed=(True, False))], set()),
    ("no check-in for a month", [InsightItem("K1", "Leads", ANN, "leads", None, "increase", D(500), "", (Point(TODAY - timedelta(days=31), D(100)),))],
     {("no_checkin_for_a_month", ("K1",))}),
]


@pytest.mark.parametrize("name, items, expected", CASES, ids=[c[0] for c in CASES])
def test_value_series_give_the_expected_insights(rules, name, items, expected):
    assert fired(rules, *items) == expected


def test_items_without_a_metric_are_not_read_by_metric_rules(rules):
    untagged = [item("K1", None, [10000, 12000, 15000]), item("K2", None, [2.1, 2.0, 2.1])]
    assert fired(rules, *untagged) == set()


def test_the_most_severe_come_first(rules):
    items = [item("K1", "traffic", [10000, 12000, 15000]), item("K2", "conversion_rate", [2.1, 2.0, 2.1], unit="%"),
             InsightItem("K3", "Leads", ANN, "leads", None, "increase", D(500), "", (Point(TODAY - timedelta(days=40), D(1)),))]
    severities = [i.severity for i in find_insights(items, rules, TODAY)]
    assert severities == sorted(severities, reverse=True) and len(severities) == 2


# -- properties ---------------------------------------------------------------------------------

METRICS = ["traffic", "conversion_rate", "roas", "leads", "mql_sql_rate", "clv", "cac", "avg_order_value", "sales_growth", None]
values = st.decimals(min_value=-1000, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def random_items(draw):
    items = []
    for n in range(draw(st.integers(1, 6))):
        metric = draw(st.sampled_from(METRICS))
        series = draw(st.lists(values, max_size=6))
        target = draw(st.none() | values)
        gaps = draw(st.integers(1, 10))
        start = TODAY - timedelta(days=gaps * max(len(series) - 1, 0))
        points = tuple(Point(start + timedelta(days=gaps * i), v) for i, v in enumerate(series))
        items.append(InsightItem(f"K{n + 1}", f"M{n}", ANN, metric, draw(st.sampled_from([None, "Douyin", "WeChat"])),
                                 draw(st.sampled_from(["increase", "decrease"])), target, "", points, start,
                                 tuple(draw(st.lists(st.booleans(), max_size=3)))))
    return items


@settings(max_examples=400, deadline=None)
@given(random_items())
def test_no_insight_cites_a_number_that_is_not_in_the_data(items):
    data = {p.value for i in items for p in i.series} | {i.target for i in items if i.target is not None}
    for insight in find_insights(items, load_insight_rules(), TODAY):
        assert set(insight.cited) <= data, insight
        quantities = [v.value for v in insight.params.values() if hasattr(v, "value")]
        assert set(quantities) <= data, insight


@settings(max_examples=400, deadline=None)
@given(random_items())
def test_no_insight_fires_below_its_minimum_of_data(items):
    rules = {r.id: r for r in load_insight_rules()}
    by_ref = {i.ref: i for i in items}
    for insight in find_insights(items, list(rules.values()), TODAY):
        rule = rules[insight.rule]
        for ref in insight.refs:
            assert len(by_ref[ref].series) >= rule.min_points, (insight, rule)
        if rule.kind != "stale":
            assert all(len(by_ref[ref].series) >= 2 for ref in insight.refs)  # never from a single check-in


@pytest.mark.parametrize("text, problem", [
    ('[[insight]]\nid = "x"\nkind = "vibes"\nmetrics = []\nseverity = 1\nmin_points = 0\nmessage = "x"\n', "unknown kind 'vibes'"),
    ('[[insight]]\nid = "x"\nkind = "trend_pair"\nmetrics = ["a", "b"]\nseverity = 1\nmin_points = 1\nmessage = "x"\nfirst = "up"\nsecond = "up"\n',
     "no insight is read from a single check-in"),
    ('[[insight]]\nid = "x"\nkind = "stale"\nmetrics = []\nseverity = 5\nmin_points = 0\nmessage = "x"\ndays = 3\n', "severity must be"),
    ('[[insight]]\nid = "x"\nkind = "ratio"\nmetrics = ["a", "b"]\nseverity = 1\nmin_points = 2\nmessage = "x"\n', "missing below"),
])
def test_a_broken_insight_file_is_refused_naming_the_insight(tmp_path, text, problem):
    path = tmp_path / "insights.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RuleFileError) as refused:
        load_insight_rules(path)
    assert problem in str(refused.value) and '"x"' in str(refused.value) and "insights.toml" in str(refused.value)
