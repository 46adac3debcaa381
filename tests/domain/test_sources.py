"""Reading one number out of what a source returned, and when a source runs: pure."""

from datetime import datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.quantities import Quantity
from bot.domain.sources import (
    DAILY, HOURLY, JSON, SQL, SourceProblem, SourceSpec, csv_value, display_url, json_value, latest_slot, reading, slot_label, sql_value,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_a_csv_column_is_read_from_the_last_row_or_the_latest_date():
    sheet = "Date,Revenue,Leads\n2026-11-02,120000,40\n2026-11-09,150000,\n2026-10-26,90000,30\n"
    assert csv_value(sheet, "revenue") == "90000"  # the last row
    assert csv_value(sheet, " Revenue ", date_column="date") == "150000"  # the latest date
    assert csv_value(sheet, "Leads") == "30"
    assert csv_value("\ufeff日期,销售额\n2026/11/02,\"1,200\"\n", "销售额", "日期") == "1,200"


@pytest.mark.parametrize("sheet, column, key", [
    ("", "Revenue", "source.error.empty"),
    ("Date,Revenue\n2026-11-02,1\n", "Sales", "source.error.no_column"),
    ("Date,Revenue\n2026-11-02,\n", "Revenue", "source.error.no_value"),
    ('Date,Revenue\n2026-11-02,"1\n', "Revenue", "source.error.bad_csv"),
])
def test_a_csv_without_the_value_says_why(sheet, column, key):
    with pytest.raises(SourceProblem) as problem:
        csv_value(sheet, column)
    assert problem.value.key == key


def test_json_paths_must_find_exactly_one_number():
    document = {"data": {"total": 1234.5, "rows": [{"v": 1}, {"v": 2}]}, "flag": True}
    assert json_value(document, "$.data.total") == "1234.5"
    assert json_value(document, "$.data.rows[-1].v") == "2"
    for path, key in (("$.data.rows[*].v", "source.error.path_matches"), ("$.missing", "source.error.path_matches"),
                      ("$.flag", "source.error.not_a_number"), ("$.data", "source.error.not_a_number"), ("$[[", "source.error.bad_path")):
        with pytest.raises(SourceProblem) as problem:
            json_value(document, path)
        assert problem.value.key == key, path


def test_sql_must_return_one_number():
    assert sql_value([(Decimal("12.5"),)]) == "12.5"
    for rows in ([], [(1,), (2,)], [(1, 2)], [(None,)]):
        with pytest.raises(SourceProblem):
            sql_value(rows)


def test_readings_parse_like_checkins_and_scale():
    assert reading("1,234") == Quantity(Decimal(1234), "")
    assert reading("12.5%") == Quantity(Decimal("12.5"), "%")
    assert reading("0.13", Decimal(100)) == Quantity(Decimal("13.00"), "")
    with pytest.raises(SourceProblem):
        reading("n/a")


def test_secrets_never_show_in_the_display_url():
    spec = SourceSpec(JSON, "https://user:pw@api.example.com:8443/v1/leads?token=abc", path="$.total", header="Authorization",
                      header_value="Bearer xyz")
    assert spec.display_url == "https://api.example.com:8443/v1/leads?…"
    assert "pw" not in str(spec.public()) and "abc" not in str(spec.public()) and "xyz" not in str(spec.public()) and "xyz" not in repr(spec)
    assert spec.has_secret and not SourceSpec("csv", "https://example.com/a.csv", column="x").has_secret
    assert SourceSpec(SQL, "postgresql://u@db/warehouse", query="select 1").has_secret  # a database is never in clear
    assert display_url("postgresql+psycopg://reader:secret@db.internal:5432/warehouse") == "postgresql+psycopg://db.internal:5432/warehouse"


def test_the_latest_slot_is_todays_local_time_or_this_hour():
    now = datetime(2026, 12, 2, 0, 30, tzinfo=timezone.utc)  # 08:30 in Shanghai
    assert latest_slot(DAILY, time(8), now, SHANGHAI) == datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
    assert latest_slot(DAILY, time(9), now, SHANGHAI) == datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    assert latest_slot(HOURLY, time(9), now, SHANGHAI) == datetime(2026, 12, 2, 8, 0, tzinfo=SHANGHAI)
    assert slot_label(HOURLY, latest_slot(HOURLY, time(9), now, SHANGHAI)) == "2026-12-02T08"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(alphabet="ab,\"\n 1.%", max_size=6), min_size=1, max_size=4), max_size=6))
def test_any_csv_gives_a_value_or_a_problem(rows):
    text = "\n".join(",".join(row) for row in rows)
    try:
        assert isinstance(csv_value(text, "a"), str)
    except SourceProblem:
        pass
