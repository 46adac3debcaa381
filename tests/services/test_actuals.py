"""Actuals from a spreadsheet: the whole file or nothing, every bad line named, the rules of `/checkin`."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import Session, select

from bot.domain.errors import UserError
from bot.services.actuals import apply_actuals, describe_problems, parse_actuals_csv
from bot.services.context import Actor
from bot.services.dispatch import run_use_case
from bot.store.database import unit_of_work
from bot.store.models import Checkin, PeriodState, Workspace
from support.db import table_counts


def apply(runtime, text: str, user: str = "owner"):
    rows = parse_actuals_csv(text)
    return run_use_case(runtime, Actor("T1", user, user), lambda ctx: apply_actuals(ctx, rows, "csv"))


def checkins(engine) -> list[Checkin]:
    with Session(engine) as session:
        return list(session.exec(select(Checkin).order_by(Checkin.id)).all())


@pytest.fixture
def goals(console):
    for line in ["/okr add Brand", "/okr kr O1 Articles target=10 owner=@alice", "/kpi add Sales growth target=15% weight=40%",
                 "/kpi add Churn target=5% weight=20% lower-is-better"]:
        console(line)
    return console


def test_a_good_file_is_recorded_row_by_row(goals, runtime, engine):
    outcome = apply(runtime, "ref,value,confidence,note\nKR1.1,4,on-track,Two articles\nK1,12%,,From the CRM\nK2,6%,at-risk,\n")
    assert outcome.error is None
    assert (outcome.result.recorded, [row.line for row in outcome.result.rows]) == (3, [2, 3, 4])
    rows = checkins(engine)
    assert [(str(c.value), c.source, c.confidence) for c in rows] == [("4", "csv", "on-track"), ("12", "csv", None), ("6", "csv", "at-risk")]
    assert rows[1].note == "From the CRM"
    assert "12%/15% (80" in goals("/kpi list") and "4/10 (40%)" in goals("/okr list")


def test_two_bad_rows_out_of_five_are_both_reported_and_nothing_is_applied(goals, runtime, engine):
    before = table_counts(engine)
    text = "ref,value,note\nK1,12%,fine\nK9,3,no such KPI\nKR1.1,4,fine\nKR1.1,lots,not a number\nK2,6%,fine\n"
    outcome = apply(runtime, text)
    assert outcome.error is not None and outcome.error.key == "actuals.error.invalid_rows"
    assert [p.line for p in outcome.error.params["rows"]] == [3, 5]
    assert [p.key for p in outcome.error.params["rows"]] == ["error.unknown_ref", "error.not_a_number"]
    assert describe_problems(runtime.catalog, "en", outcome.error)[1] == "line 5: `lots` is not a number. Write numbers like 12, 6.5%, 1,200 or 12k."
    assert table_counts(engine) == before


def test_chinese_headers_and_words(goals, runtime, engine):
    yesterday = (datetime.now(timezone.utc) - timedelta(days=1)).date()
    text = f"编号,数值,信心,备注,日期,负责人\nKR1.1,5,有风险,两篇稿件已发,{yesterday.isoformat()},alice\nK1,1.2万,正常,,,\n"
    outcome = apply(runtime, text)
    assert outcome.error is None, outcome.error
    kr, kpi = checkins(engine)
    assert (kr.confidence, kr.note, str(kpi.value), kpi.confidence) == ("at-risk", "两篇稿件已发", "12000", "on-track")
    assert outcome.result.rows[0].author.user_id == "alice"
    assert abs((kr.created_at.date() - yesterday).days) <= 1  # local noon of that day, in UTC


def test_a_byte_order_mark_and_windows_line_ends_are_fine(goals, runtime, engine):
    outcome = apply(runtime, "\ufeffRef,Value\r\nK1,12%\r\n\r\nK2,6%\r\n")
    assert outcome.error is None and outcome.result.recorded == 2
    rows = parse_actuals_csv("\ufeffref,value\nK1,1\n")
    assert rows[0].ref.kind == "K" and rows[0].line == 2


def test_importing_the_same_file_again_records_nothing_twice(goals, runtime, engine):
    text = "ref,value\nK1,12%\nK1,12%\n"  # the same actual twice in one file is two rows
    assert apply(runtime, text).result.recorded == 2
    again = apply(runtime, text)
    assert (again.result.recorded, again.result.duplicates) == (0, 2)
    assert len(checkins(engine)) == 2


@pytest.mark.parametrize("text, key", [
    ("", "actuals.error.no_header"),
    ("K1,12%\nK2,6%\n", "actuals.error.no_header"),
    ("ref,amount\nK1,12\n", "actuals.error.unknown_column"),
    ("ref,note\nK1,x\n", "actuals.error.missing_column"),
    ("ref,value,ref\nK1,1,K2\n", "actuals.error.duplicate_column"),
    ("ref,value\n", "actuals.error.no_rows"),
    ('ref,value,note\nK1,12%,"a quote that closes\nKR1.1,4,fine\nK1,13%,three lines later"\n', "actuals.error.unbalanced_quote"),
    ('ref,value,note\nK1,12%,"never closed\nKR1.1,4,fine\n', "actuals.error.bad_csv"),
])
def test_a_bad_header_is_refused_at_once(text, key):
    with pytest.raises(UserError) as refused:
        parse_actuals_csv(text)
    assert refused.value.key == key


def test_the_rules_of_checkin_apply_to_every_row(goals, runtime, engine):
    later = (date.today() + timedelta(days=2)).isoformat()
    text = f"ref,value,date,author\nKR1.1,1,,\nK1,3%,,\nK2,4%,{later},\nKR1.1,2,,owner\nKR1.1,2,,ghost\n"
    outcome = apply(runtime, text, user="alice")  # a member: her own key result only, for herself only
    problems = {p.line: p.key for p in outcome.error.params["rows"]}
    assert problems == {3: "error.not_your_item", 4: "actuals.error.future_date", 5: "actuals.error.author_not_allowed",
                        6: "actuals.error.unknown_author"}
    assert checkins(engine) == []


def test_a_closed_period_is_read_only(goals, runtime, engine):
    goals("/kpi add Last year target=10 weight=10% period=2025-Q4")
    with unit_of_work(engine) as session:
        ws = session.exec(select(Workspace).where(Workspace.team_id == "T1")).one()
        session.add(PeriodState(workspace_id=ws.id, period="2025-Q4", closed_at=datetime.now(timezone.utc)))
    outcome = apply(runtime, "ref,value\nK1,1%\nK3,5\n")
    assert [(p.line, p.key) for p in outcome.error.params["rows"]] == [(3, "error.period_closed")]
    assert checkins(engine) == []


@pytest.mark.parametrize("value, key", [
    ("0.000000000000000000000000000001%", "error.too_many_decimals"), ("1e5", "error.not_a_number"), ("40%", "error.unit_mismatch"),
])
def test_a_csv_value_passes_the_same_checks_as_a_command(goals, runtime, engine, value, key):
    outcome = apply(runtime, f"ref,value\nKR1.1,{value}\n")
    assert outcome.error is not None and checkins(engine) == []
    assert key in {p.key for p in outcome.error.params.get("rows", ())} | {outcome.error.key}
