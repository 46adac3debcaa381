"""The numbers managers are judged by: pinned examples, and the invariants as properties over
random values of every sign (zero included)."""

from decimal import Decimal as D

from hypothesis import assume, given, strategies as st

from bot.domain.scoring import (
    AT_LEAST, AT_MOST, COMMITTED, DECREASE, INCREASE, MILESTONE, STRETCH, attainment, expected_progress, grade_band,
    key_result_progress, kpi_attainment, objective_progress, okr_grade, weighted_score,
)

CAP = D("1.2")


def test_key_result_progress_counts_from_the_start():
    assert key_result_progress(D(0), D(12), D(4)) == D(1) / D(3)
    assert key_result_progress(D(0), D(12), None) == 0


def test_key_result_progress_works_when_the_target_is_below_the_start():
    assert key_result_progress(D(8), D(5), D("6.5")) == D("0.5")
    assert key_result_progress(D(8), D(5), D(9)) == 0  # worse than the start: nothing yet, never negative


def test_key_result_progress_may_pass_100_percent_up_to_the_cap():
    assert key_result_progress(D(0), D(10), D(11)) == D("1.1")
    assert key_result_progress(D(0), D(10), D(15)) == CAP


def test_objective_progress_caps_each_key_result_and_weights_the_mean():
    assert round(objective_progress([(D(1) / 3, D(1)), (D("0.5"), D(1))]) * 100) == 42
    assert objective_progress([(D("1.5"), D(1)), (D(0), D(1))]) == D("0.5")
    assert objective_progress([(D(1), D(2)), (D(0), D(1))]) == D(2) / D(3)
    assert objective_progress([]) == 0


def test_kpi_attainment_by_direction():
    assert kpi_attainment(D(15), D(12), "higher") == D("0.8")
    assert round(kpi_attainment(D(5), D(6), "lower"), 4) == D("0.8333")
    assert kpi_attainment(D(15), None, "higher") is None


def test_the_observed_wrong_numbers_are_right_now():
    # A sales growth target of 15% and an actual of -30%: 0%, not -200%.
    assert kpi_attainment(D(15), D(-30), "higher") == 0
    # Higher is better with target -10%: -20% is worse (0%), -5% is better (capped), -10% is on target.
    assert kpi_attainment(D(-10), D(-20), "higher") == 0
    assert kpi_attainment(D(-10), D(-5), "higher") == CAP
    assert kpi_attainment(D(-10), D(-10), "higher") == 1
    # Lower is better with target -2%: -1% is worse (50%), not left out of the score.
    assert kpi_attainment(D(-2), D(-1), "lower") == D("0.5")
    # Lower is better, checked in at 0: as good as the cap allows, not 1,200%.
    assert kpi_attainment(D(5), D(0), "lower") == CAP
    # A tiny actual cannot blow the ratio up past the cap.
    assert kpi_attainment(D(5), D("0.000001"), "lower") == CAP


def test_thresholds_are_held_or_not_and_zero_is_a_fine_threshold():
    assert attainment(AT_MOST, D(0), D(0)) == 1  # zero complaints, held
    assert attainment(AT_MOST, D(0), D(1)) == 0
    assert attainment(AT_LEAST, D(40), D(41)) == 1  # NPS at or above 40
    assert attainment(AT_LEAST, D(40), D(39)) == 0


def test_milestones_are_done_or_not():
    assert attainment(MILESTONE, D(1), D(1)) == 1
    assert attainment(MILESTONE, D(1), D(0)) == 0


def test_weighted_score_pins_the_issue_example():
    result = weighted_score([(D("0.8"), D(40)), (D(5) / D(6), D(20))])
    assert round(result.score * 100, 1) == D("81.1")
    assert result.weight_total == 60


def test_weighted_score_caps_attainment():
    assert weighted_score([(D(3), D(50)), (D(1), D(50))]).score == D("1.1")
    assert weighted_score([(D(3), D(100))], cap=D("1.5")).score == D("1.5")


def test_unmeasured_kpis_count_in_weights_but_not_the_score():
    result = weighted_score([(None, D(50)), (D("0.9"), D(50))])
    assert result.score == D("0.9") and result.weight_total == 100
    assert weighted_score([(None, D(100))]).score is None


def test_grades_round_down_and_say_what_they_mean():
    assert okr_grade(D("0.65")) == D("0.6")
    assert grade_band(D("0.65"), STRETCH) == "progress" and grade_band(D("0.7"), STRETCH) == "success"
    assert grade_band(D("0.95"), COMMITTED) == "progress" and grade_band(D("1"), COMMITTED) == "success"
    assert grade_band(D("0.3"), STRETCH) == "missed"


def test_stretch_pace_aims_at_seventy_percent():
    assert expected_progress(D("0.97"), STRETCH) == D("0.679")
    assert expected_progress(D("0.97"), COMMITTED) == D("0.97")


# -- properties ---------------------------------------------------------------------------------

numbers = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
caps = st.sampled_from([D(1), D("1.1"), D("1.2"), D("1.5"), D(3)])
WAYS = (INCREASE, DECREASE)


@st.composite
def measured_items(draw):
    """(measure, target, start) as the parser lets them exist: a way has its target on its side of
    the start (or no start, for a KPI, with a non-zero target); thresholds and milestones have none."""
    measure = draw(st.sampled_from([INCREASE, DECREASE, AT_LEAST, AT_MOST, MILESTONE]))
    if measure == MILESTONE:
        return measure, D(1), None
    target = draw(numbers)
    if measure in WAYS:
        start = draw(st.none() | numbers)
        if start is None:
            assume(target != 0)
        else:
            assume(target > start if measure == INCREASE else target < start)
        return measure, target, start
    return measure, target, None


def better(measure: str, a: D, b: D) -> bool:
    """a is at least as good as b."""
    return a <= b if measure in (DECREASE, AT_MOST) else a >= b


@given(measured_items(), numbers, caps)
def test_attainment_lies_between_zero_and_the_cap(item, actual, cap):
    measure, target, start = item
    value = attainment(measure, target, actual, start, cap)
    assert D(0) <= value <= cap


@given(measured_items(), numbers, numbers, caps)
def test_a_better_actual_never_lowers_attainment(item, a, b, cap):
    measure, target, start = item
    if better(measure, a, b):
        assert attainment(measure, target, a, start, cap) >= attainment(measure, target, b, start, cap)
    else:
        assert attainment(measure, target, a, start, cap) <= attainment(measure, target, b, start, cap)


@given(measured_items(), caps)
def test_exactly_on_target_is_one_hundred_percent(item, cap):
    measure, target, start = item
    assert attainment(measure, target, target, start, cap) == 1


@given(st.sampled_from([AT_LEAST, AT_MOST]), numbers, numbers)
def test_a_threshold_held_is_one_hundred_percent(measure, target, actual):
    held = actual >= target if measure == AT_LEAST else actual <= target
    assert attainment(measure, target, actual) == (1 if held else 0)


@given(st.lists(st.tuples(st.none() | st.decimals(min_value=-100, max_value=100, places=4), st.decimals(min_value=1, max_value=100, places=0)),
                max_size=8), caps)
def test_a_weighted_score_lies_between_zero_and_the_cap(items, cap):
    score = weighted_score(items, cap).score
    assert score is None or D(0) <= score <= cap


@given(st.decimals(min_value=-2, max_value=2, places=6))
def test_rounding_never_promotes_a_grade(progress):
    assert okr_grade(progress) <= max(min(progress, D(1)), D(0))
