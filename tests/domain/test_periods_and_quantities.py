from datetime import date
from decimal import Decimal as D

import pytest

from bot.domain.errors import UserError
from bot.domain.periods import Period, parse_period, period_containing
from bot.domain.quantities import Quantity, format_quantity, parse_quantity


@pytest.mark.parametrize("text, expected", [
    ("2026-Q1", Period(2026, quarter=1)), ("2026q4", Period(2026, quarter=4)), ("2026-11", Period(2026, month=11)),
    ("2026年第一季度", Period(2026, quarter=1)), ("2027-Q1", Period(2027, quarter=1)),
])
def test_periods_parse(text, expected):
    assert parse_period(text) == expected


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q1", "next quarter", "", "1999-Q1"])
def test_bad_periods_are_refused_with_a_reason(text):
    with pytest.raises(UserError) as caught:
        parse_period(text)
    assert caught.value.key == "error.bad_period"


def test_period_bounds_and_pace():
    q4 = Period(2026, quarter=4)
    assert (q4.start, q4.end, q4.next()) == (date(2026, 10, 1), date(2026, 12, 31), Period(2027, quarter=1))
    assert Period(2026, month=2).end == date(2026, 2, 28)
    assert q4.elapsed(date(2026, 12, 31)) == 1.0
    assert period_containing(date(2026, 11, 25), "quarterly") == q4
    assert period_containing(date(2026, 11, 25), "monthly") == Period(2026, month=11)


@pytest.mark.parametrize("text, value, unit", [
    ("6.5%", "6.5", "%"), ("1,200", "1200", ""), ("12k", "12000", ""), ("¥3万", "30000", "¥"), ("１２", "12", ""), ("-4", "-4", ""),
])
def test_numbers_parse_as_people_type_them(text, value, unit):
    assert parse_quantity(text) == Quantity(D(value), unit)


@pytest.mark.parametrize("text", ["abc", "12..5", "%", "1e5", "NaN", "12 apples", "1" * 30])
def test_non_numbers_are_refused(text):
    with pytest.raises(UserError):
        parse_quantity(text)


def test_numbers_show_short():
    assert format_quantity(D("6.50"), "%") == "6.5%"
    assert format_quantity(D("1200"), "") == "1,200"
    assert format_quantity(None) == "–"
