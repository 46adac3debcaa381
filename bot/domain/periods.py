"""Assessment periods: quarters (`2026-Q4`) and months (`2026-11`).

A period is a value object with its own calendar bounds, so pace ("how far through are
we") and "the current period" are computed the same way everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from bot.domain.errors import UserError

CYCLES = ("quarterly", "monthly")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_ZH_QUARTER = re.compile(r"^(\d{4})年?第?([1-4一二三四])季度?$")
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # 1-4 for a quarter
    month: int | None = None  # 1-12 for a month

    def __str__(self) -> str:
        if self.quarter:
            return f"{self.year}-Q{self.quarter}"
        return f"{self.year}-{self.month:02d}"

    @property
    def start(self) -> date:
        month = (self.quarter - 1) * 3 + 1 if self.quarter else self.month
        return date(self.year, month, 1)

    @property
    def end(self) -> date:
        """The last day of the period (inclusive)."""
        return self.next().start - timedelta(days=1)

    def next(self) -> Period:
        if self.quarter:
            return Period(self.year + 1, quarter=1) if self.quarter == 4 else Period(self.year, quarter=self.quarter + 1)
        return Period(self.year + 1, month=1) if self.month == 12 else Period(self.year, month=self.month + 1)

    def elapsed(self, today: date) -> float:
        """How far through the period `today` is, 0.0 to 1.0, counting today as done."""
        total = (self.end - self.start).days + 1
        done = (today - self.start).days + 1
        return max(0.0, min(1.0, done / total))


def parse_period(text: str) -> Period:
    cleaned = text.strip()
    if match := _QUARTER.match(cleaned):
        return _checked(Period(int(match[1]), quarter=int(match[2])), text)
    if match := _ZH_QUARTER.match(cleaned):
        return _checked(Period(int(match[1]), quarter=int(_ZH_DIGITS.get(match[2], match[2]))), text)
    if (match := _MONTH.match(cleaned)) and 1 <= int(match[2]) <= 12:
        return _checked(Period(int(match[1]), month=int(match[2])), text)
    raise UserError("error.bad_period", value=text)


def _checked(period: Period, text: str) -> Period:
    if not 2000 <= period.year <= 2100:
        raise UserError("error.bad_period", value=text)
    return period


def earlier_periods(period: Period, count: int = 2) -> list[str]:
    """The `count` periods before `period`, newest first, in its own cycle."""
    found, current = [], period
    for _ in range(count):
        current = period_containing(current.start - timedelta(days=1), "quarterly" if current.quarter else "monthly")
        found.append(str(current))
    return found


def cycle_on(day: date, cycle: str, next_cycle: str | None = None, next_from: date | None = None) -> str:
    """The cycle in force on `day`: a change waits for the period boundary it was given."""
    return next_cycle if next_cycle and next_from is not None and day >= next_from else cycle


def shared_boundary(today: date, old: str, new: str) -> date:
    """The first day after the current `old` period that starts a period in both cycles, so a
    change of cycle never cuts a period in two (quarterly → monthly in November: 1 January)."""
    day = period_containing(today, old).next().start
    while period_containing(day, new).start != day:
        day = period_containing(day, old).next().start
    return day


def period_containing(day: date, cycle: str) -> Period:
    if cycle == "monthly":
        return Period(day.year, month=day.month)
    return Period(day.year, quarter=(day.month - 1) // 3 + 1)
