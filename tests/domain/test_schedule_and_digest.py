from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest

from bot.domain.digest import quiet_people, stale_items_by_owner, StaleItem
from bot.domain.errors import UserError
from bot.domain.scoring import okr_grade
from bot.domain.schedule import WeeklySlot, at_local, latest_weekly_slot, parse_clock, parse_weekday, same_local_day, week_label
from bot.domain.views import Person

LA = ZoneInfo("America/Los_Angeles")
SH = ZoneInfo("Asia/Shanghai")


def test_weekdays_and_times_in_both_languages():
    assert [parse_weekday(w) for w in ("mon", "Friday", "周五", "星期日", "礼拜天")] == [0, 4, 4, 6, 6]
    assert parse_clock("9:05") == time(9, 5) and parse_clock("１７：３０") == time(17, 30)
    for bad in ("25:00", "9", "noon"):
        with pytest.raises(UserError):
            parse_clock(bad)
    with pytest.raises(UserError):
        parse_weekday("funday")


def test_the_latest_slot_is_in_local_time():
    slot = WeeklySlot(0, time(9, 0))
    now = datetime(2026, 11, 30, 1, 0, tzinfo=timezone.utc)  # Monday 09:00 in Shanghai
    assert latest_weekly_slot(slot, now, SH) == datetime(2026, 11, 30, 9, 0, tzinfo=SH)
    assert latest_weekly_slot(slot, now - timedelta(seconds=1), SH) == datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def test_a_time_inside_the_spring_forward_gap_lands_just_after_it():
    assert at_local(date(2026, 3, 8), time(2, 30), LA).astimezone(timezone.utc) == datetime(2026, 3, 8, 10, 30, tzinfo=timezone.utc)
    assert at_local(date(2026, 3, 9), time(2, 30), LA).astimezone(timezone.utc) == datetime(2026, 3, 9, 9, 30, tzinfo=timezone.utc)


def test_same_local_day_and_week_labels():
    slot = datetime(2026, 11, 30, 9, 0, tzinfo=SH)
    assert same_local_day(slot, datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc), SH)  # 23:59 local
    assert not same_local_day(slot, datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), SH)
    assert week_label(date(2026, 12, 31)) == "2026-W53" and week_label(date(2027, 1, 4)) == "2027-W01"


def test_okr_grades_in_tenths_rounded_down_so_rounding_never_promotes():
    assert [okr_grade(D(x)) for x in ("0.33", "0.35", "0.65", "0.699", "0.7", "1.4", "-0.2")] == [
        D("0.3"), D("0.3"), D("0.6"), D("0.6"), D("0.7"), D("1.0"), D("0.0")]


def test_quiet_people_leave_out_those_away():
    now = datetime(2026, 11, 25, tzinfo=timezone.utc)
    ann, bob, cy = Person("U1", "ann"), Person("U2", "bob"), Person("U3", "cy")
    quiet = quiet_people([ann, bob, cy], {"U1": now - timedelta(days=8), "U2": now - timedelta(days=1)}, {"U3": date(2026, 12, 1)}, now, now.date())
    assert [(q.person.name, q.days) for q in quiet] == [("ann", 8)]


def test_stale_items_per_owner():
    now = datetime(2026, 11, 25, tzinfo=timezone.utc)
    ann = Person("U1", "ann")
    items = [StaleItem(ann, "KR1.1", "a", now - timedelta(days=9)), StaleItem(ann, "K1", "b", now - timedelta(days=2))]
    assert [i.ref for i in stale_items_by_owner(items, now, now.date(), 7, {})["U1"]] == ["KR1.1"]
    assert stale_items_by_owner(items, now, now.date(), 7, {"U1": date(2026, 11, 30)}) == {}
