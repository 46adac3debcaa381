"""When scheduled posts are due, in the workspace's own time zone.

Times are kept as a local weekday and "HH:MM"; every question is answered by turning the
UTC now into local time with `zoneinfo`, so a daylight-saving change moves nothing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.errors import UserError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_ALIASES = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    **{f"{prefix}{d}": i for prefix in ("周", "星期", "礼拜") for i, d in enumerate("一二三四五六日")},
    "周天": 6, "星期天": 6, "礼拜天": 6,
}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class WeeklySlot:
    weekday: int  # 0 Monday
    at: time


def parse_weekday(text: str) -> int:
    key = unicodedata.normalize("NFKC", text).strip().lower()
    if key not in WEEKDAY_ALIASES:
        raise UserError("error.bad_weekday", value=text)
    return WEEKDAY_ALIASES[key]


def parse_clock(text: str) -> time:
    match = _TIME.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        raise UserError("error.bad_time", value=text)
    return time(int(match[1]), int(match[2]))


def zone_named(name: str | None) -> ZoneInfo:
    """A workspace's time zone by name; an unknown or missing one is UTC."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_now(now: datetime, zone: ZoneInfo) -> datetime:
    return now.astimezone(zone)


def at_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time; a time skipped by daylight saving lands
    just after the gap, a repeated one on its first occurrence."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:  # inside a spring-forward gap
        aware = (naive + timedelta(hours=1)).replace(tzinfo=zone)
    return aware


def latest_weekly_slot(slot: WeeklySlot, now: datetime, zone: ZoneInfo) -> datetime:
    """The most recent occurrence of the slot at or before `now`, as an aware local datetime."""
    today = local_now(now, zone).date()
    back = (today.weekday() - slot.weekday) % 7
    candidate = at_local(today - timedelta(days=back), slot.at, zone)
    if candidate > now:
        candidate = at_local(today - timedelta(days=back + 7), slot.at, zone)
    return candidate


def latest_daily_slot(at: time, now: datetime, zone: ZoneInfo) -> datetime:
    today = local_now(now, zone).date()
    candidate = at_local(today, at, zone)
    return candidate if candidate <= now else at_local(today - timedelta(days=1), at, zone)


def same_local_day(slot: datetime, now: datetime, zone: ZoneInfo) -> bool:
    """A slot missed while the bot was down still goes out if it is still that day locally."""
    return slot.astimezone(zone).date() == local_now(now, zone).date()


def week_label(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def format_clock(at: time) -> str:
    return f"{at.hour:02d}:{at.minute:02d}"
