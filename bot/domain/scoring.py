"""Progress and scores: the numbers managers are judged by, so tests pin every one.

All inputs and outputs are `Decimal` ratios (0.5 is 50%). Nothing here rounds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

HIGHER_IS_BETTER = "higher"
LOWER_IS_BETTER = "lower"
DEFAULT_SCORE_CAP = Decimal("1.2")
FULL_WEIGHT = Decimal(100)


def key_result_progress(start: Decimal, target: Decimal, current: Decimal | None) -> Decimal:
    """(current - start) / (target - start): works when the target is below the start
    (cutting churn from 8% to 5%), may exceed 1 and is reported as measured."""
    if current is None:
        return Decimal(0)
    return (current - start) / (target - start)


def objective_progress(key_results: Iterable[tuple[Decimal, Decimal]]) -> Decimal:
    """Weighted mean of (progress, weight) pairs, each progress capped at 100%.

    An objective is not "140% done" because one key result overshot while another stalled.
    """
    total_weight = Decimal(0)
    weighted = Decimal(0)
    for progress, weight in key_results:
        weighted += min(max(progress, Decimal(0)), Decimal(1)) * weight
        total_weight += weight
    return weighted / total_weight if total_weight else Decimal(0)


def kpi_attainment(target: Decimal, actual: Decimal | None, direction: str) -> Decimal | None:
    """actual/target when higher is better, target/actual when lower is better."""
    if actual is None:
        return None
    if direction == LOWER_IS_BETTER:
        if actual <= 0:
            return None if target <= 0 else DEFAULT_SCORE_CAP * 10  # zero churn: as good as it gets
        return target / actual
    if target == 0:
        return None
    return actual / target


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
    for attainment, weight in items:
        weight_total += weight
        if attainment is None:
            continue
        measured += weight
        weighted += weight * min(attainment, cap)
    return WeightedScore(weighted / measured if measured else None, weight_total, measured)


def is_at_target(target: Decimal, actual: Decimal | None, direction: str) -> bool:
    if actual is None:
        return False
    return actual <= target if direction == LOWER_IS_BETTER else actual >= target
