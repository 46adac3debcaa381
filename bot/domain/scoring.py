"""Progress and scores: the numbers managers are judged by, so tests pin every one.

Every key result and KPI has a measurement type (`Measure`); one function turns (type, start,
target, actual) into an attainment ratio (0.5 is 50%), defined for every sign of every
number, zero included, and always between 0 and the cap. Nothing here rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

DEFAULT_SCORE_CAP = Decimal("1.2")
FULL_WEIGHT = Decimal(100)
ZERO, ONE = Decimal(0), Decimal(1)

# The measurement types. "increase" and "decrease" measure the way from a start to a target;
# "at_least" and "at_most" are thresholds to hold (NPS ≥ 40, churn ≤ 2%); a milestone is done or not.
INCREASE, DECREASE, AT_LEAST, AT_MOST, MILESTONE = "increase", "decrease", "at_least", "at_most", "milestone"
MEASURES = (INCREASE, DECREASE, AT_LEAST, AT_MOST, MILESTONE)
LOWER_IS_BETTER_MEASURES = (DECREASE, AT_MOST)
HIGHER_IS_BETTER = "higher"
LOWER_IS_BETTER = "lower"


def direction_of(measure: str) -> str:
    """"higher" or "lower": which way a better actual moves."""
    return LOWER_IS_BETTER if measure in LOWER_IS_BETTER_MEASURES else HIGHER_IS_BETTER


def attainment(measure: str, target: Decimal | None, actual: Decimal | None, start: Decimal | None = None,
               cap: Decimal = DEFAULT_SCORE_CAP) -> Decimal | None:
    """How much of the target an actual achieves, between 0 and `cap`; None without both numbers.

    - increase / decrease with a start: (actual − start) / (target − start), the way covered.
    - increase without a start (a KPI): actual ÷ target; for a target below zero, where that
      ratio would reward a worse actual, 1 + (actual − target) ÷ |target|.
    - decrease without a start: target ÷ actual (any actual ≤ 0 is as good as it gets); for a
      target below zero, 1 + (target − actual) ÷ |target|.
    - at_least / at_most: 100% while the threshold is held, else 0%.
    - milestone: 100% when done (an actual of 1 or more), else 0%.
    A target of zero without a start is only meaningful as a threshold, and the parser makes it one.
    """
    if actual is None or target is None:
        return None
    if measure == AT_LEAST:
        return ONE if actual >= target else ZERO
    if measure == AT_MOST:
        return ONE if actual <= target else ZERO
    if measure == MILESTONE:
        return ONE if actual >= ONE else ZERO
    if start is not None and start != target:
        raw = (actual - start) / (target - start)
    elif measure == DECREASE:
        raw = _decrease_ratio(target, actual, cap)
    else:
        raw = _increase_ratio(target, actual)
    return min(max(raw, ZERO), cap)


def _increase_ratio(target: Decimal, actual: Decimal) -> Decimal:
    if target > 0:
        return actual / target
    if target < 0:
        return ONE + (actual - target) / abs(target)
    return ONE if actual >= 0 else ZERO  # only reached by data that bypassed the parser


def _decrease_ratio(target: Decimal, actual: Decimal, cap: Decimal) -> Decimal:
    if target > 0:
        return cap if actual <= 0 else target / actual
    if target < 0:
        return ONE + (target - actual) / abs(target)
    return ONE if actual <= 0 else ZERO  # only reached by data that bypassed the parser


def key_result_progress(start: Decimal, target: Decimal, current: Decimal | None, measure: str | None = None,
                        cap: Decimal = DEFAULT_SCORE_CAP) -> Decimal:
    """A key result's progress: its attainment, 0 before the first check-in."""
    measure = measure or (INCREASE if target >= start else DECREASE)
    return attainment(measure, target, current, start, cap) or ZERO


def objective_progress(key_results: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of (progress, weight) pairs, each progress capped at 100%.

    An objective is not "140% done" because one key result overshot while another stalled.
    """
    total_weight = Decimal(0)
    weighted = Decimal(0)
    for progress, weight in key_results:
        weighted += min(max(progress, ZERO), ONE) * weight
        total_weight += weight
    return weighted / total_weight if total_weight else ZERO


def kpi_attainment(target: Decimal, actual: Decimal | None, direction: str, cap: Decimal = DEFAULT_SCORE_CAP) -> Decimal | None:
    """A KPI with no measurement type of its own: increase (higher) or decrease (lower), no start."""
    return attainment(DECREASE if direction == LOWER_IS_BETTER else INCREASE, target, actual, None, cap)


@dataclass(frozen=True)
class WeightedScore:
    score: Decimal | None  # a ratio; None when nothing has been measured yet
    weight_total: Decimal  # the weights (in percent) of every KPI, measured or not
    measured_weight: Decimal


def weighted_score(items: Iterable[tuple[Decimal | None, Decimal]], cap: Decimal = DEFAULT_SCORE_CAP) -> WeightedScore:
    """Σ wᵢ·min(attainmentᵢ, cap) / Σ wᵢ over the KPIs that have an actual.

    KPIs with no check-in yet are left out of the score rather than counted as zero, so a
    scorecard early in the period is not alarming; their weight still counts in the total
    that must reach 100%.
    """
    weight_total = Decimal(0)
    measured = Decimal(0)
    weighted = Decimal(0)
    for value, weight in items:
        weight_total += weight
        if value is None:
            continue
        measured += weight
        weighted += weight * min(max(value, ZERO), cap)
    return WeightedScore(weighted / measured if measured else None, weight_total, measured)


def is_at_target(measure: str, target: Decimal, actual: Decimal | None) -> bool:
    """Whether the target is reached (or the threshold held, or the milestone done)."""
    if actual is None:
        return False
    if measure == MILESTONE:
        return actual >= ONE
    if direction_of(measure) == LOWER_IS_BETTER:
        return actual <= target
    return actual >= target


# OKR grading, as widely practised: 0.0–1.0 in tenths. Stretch OKRs count 0.7 as success;
# committed ones are expected at 1.0. A grade is rounded down, so rounding never promotes one.
STRETCH, COMMITTED = "stretch", "committed"
OKR_STYLES = (STRETCH, COMMITTED)
SUCCESS_GRADE = {STRETCH: Decimal("0.7"), COMMITTED: ONE}
PROGRESS_GRADE = {STRETCH: Decimal("0.4"), COMMITTED: Decimal("0.7")}


def okr_grade(progress: Decimal) -> Decimal:
    """The classic OKR score, 0.0 to 1.0, rounded down to a tenth (0.65 is 0.6, not 0.7)."""
    bounded = min(max(progress, ZERO), ONE)
    return (bounded * 10).to_integral_value(rounding=ROUND_FLOOR) / 10


def grade_band(progress: Decimal, style: str = STRETCH) -> str:
    """"success", "progress" or "missed": what a grade means for this kind of OKR."""
    grade = okr_grade(progress)
    if grade >= SUCCESS_GRADE.get(style, SUCCESS_GRADE[STRETCH]):
        return "success"
    if grade >= PROGRESS_GRADE.get(style, PROGRESS_GRADE[STRETCH]):
        return "progress"
    return "missed"


def expected_progress(elapsed: Decimal, style: str = STRETCH) -> Decimal:
    """Where a key result should be by now, on a straight line to what counts as success."""
    return elapsed * SUCCESS_GRADE.get(style, SUCCESS_GRADE[STRETCH])
