"""How an item is measured: its type, start, target and unit, settled once from what was typed,
and the check every actual passes before it is stored.

The rules, in the order they apply:
- the unit comes from `unit=` if given, else from the target (or the start): `15%`, `¥3万`, `40h`;
- a milestone is done (1) or not (0): no start, target 1, no unit;
- a threshold (at least / at most) has a target and no start;
- otherwise the item goes from a start to a target. A key result starts at 0 unless told; it
  increases when the target is above the start and decreases when below, and a flag that says
  otherwise is refused rather than guessed at. A KPI without a start is scored as a ratio to its
  target; with a target of 0 it can only be a threshold ("zero complaints"), and becomes one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from bot.domain.errors import UserError
from bot.domain.quantities import Quantity, format_quantity
from bot.domain.scoring import (
    AT_LEAST, AT_MOST, DECREASE, HIGHER_IS_BETTER, INCREASE, LOWER_IS_BETTER, MILESTONE, direction_of,
)

KEY_RESULT, KPI = "KR", "K"
_DIRECTION_MEASURE = {HIGHER_IS_BETTER: INCREASE, LOWER_IS_BETTER: DECREASE}


@dataclass(frozen=True)
class Measurement:
    measure: str
    start: Decimal | None  # None: a KPI scored against its target alone, a threshold, a milestone
    target: Decimal | None  # None: to be set (a starter kit)
    unit: str


def measurement(kind: str, *, measure: str | None = None, direction: str | None = None, start: Quantity | None = None,
                target: Quantity | None = None, unit: str | None = None, current: Measurement | None = None) -> Measurement:
    """Settle an item's measurement from a command's options (and, for an edit, what it was)."""
    explicit = measure or (_DIRECTION_MEASURE[direction] if direction else None)
    if measure and direction and direction_of(measure) != direction:
        raise UserError("error.measure_conflict", measure=f"measure.{measure}", direction=f"direction.{direction}")
    unit = _unit(unit, start, target, current)
    new_target = target.value if target else (current.target if current else None)
    chosen = explicit or (current.measure if current else None)

    if chosen == MILESTONE:
        if target is not None and target.value not in (0, 1):
            raise UserError("error.milestone_target")
        if start is not None:
            raise UserError("error.option_not_for_measure", option="start=", measure="measure.milestone")
        return Measurement(MILESTONE, None, Decimal(1), "")
    if chosen in (AT_LEAST, AT_MOST):
        if start is not None:
            raise UserError("error.option_not_for_measure", option="start=", measure=f"measure.{chosen}")
        if new_target is None:
            raise UserError("error.missing_option", option="target=")
        return Measurement(chosen, None, new_target, unit)

    if start is not None:
        new_start = start.value
    elif current is not None and current.start is not None:
        new_start = current.start
    else:
        new_start = Decimal(0) if kind == KEY_RESULT else None
    if new_target is None:
        return Measurement(explicit or INCREASE, new_start, None, unit)
    if new_start is None:  # a KPI against its target alone
        way = explicit if explicit in (INCREASE, DECREASE) else (current.measure if current and current.measure in (INCREASE, DECREASE) else INCREASE)
        if new_target == 0:
            return Measurement(AT_LEAST if way == INCREASE else AT_MOST, None, new_target, unit)
        return Measurement(way, None, new_target, unit)
    if new_target == new_start:
        raise UserError("error.target_equals_start", value=format_quantity(new_target, unit))
    inferred = INCREASE if new_target > new_start else DECREASE
    if explicit in (INCREASE, DECREASE) and explicit != inferred:
        if explicit == DECREASE and start is None and new_start == 0 and current is None:
            raise UserError("error.needs_start", target=format_quantity(new_target, unit))
        raise UserError("error.direction_conflict", start=format_quantity(new_start, unit), target=format_quantity(new_target, unit),
                        measure=f"measure.{explicit}")
    return Measurement(inferred, new_start, new_target, unit)


def _unit(unit: str | None, start: Quantity | None, target: Quantity | None, current: Measurement | None) -> str:
    typed = {q.unit for q in (target, start) if q is not None and q.unit}
    if len(typed) > 1:
        raise UserError("error.unit_conflict", units=" / ".join(sorted(typed)))
    if unit is not None:
        if typed and typed != {unit}:
            raise UserError("error.unit_conflict", units=" / ".join(sorted(typed | {unit or "–"})))
        return unit
    if typed:
        return typed.pop()
    return current.unit if current else ""


def checked_actual(ref: str, item: Measurement, value: Quantity) -> Decimal:
    """An actual, as the item counts it; refused, with the likely meaning, when its unit says
    it was meant for something else ("KR1.1 counts in plain numbers; did you mean 40?")."""
    if item.measure == MILESTONE:
        if value.unit or value.value not in (0, 1):
            raise UserError("error.milestone_value", ref=ref)
        return value.value
    if value.unit and value.unit != item.unit:
        raise UserError("error.unit_mismatch", ref=ref, unit=f"unit.{unit_key(item.unit)}",
                        target=format_quantity(item.target, item.unit), suggestion=format_quantity(value.value, item.unit))
    target = item.target if item.target is not None else Decimal(0)
    if item.unit == "%" and not value.unit and value.value != 0 and abs(value.value) < 1 <= abs(target):
        raise UserError("error.fraction_for_percent", ref=ref, value=format_quantity(value.value), target=format_quantity(target, "%"),
                        suggestion=format_quantity(value.value * 100, "%"), literal=format_quantity(value.value, "%"))
    return value.value


def unit_key(unit: str) -> str:
    """The catalog's name for a unit: count, percent, hours or currency."""
    return {"": "count", "%": "percent", "h": "hours"}.get(unit, "currency")
