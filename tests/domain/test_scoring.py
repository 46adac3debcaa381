from decimal import Decimal as D

from bot.domain.scoring import key_result_progress, kpi_attainment, objective_progress, weighted_score


def test_key_result_progress_counts_from_the_start():
    assert key_result_progress(D(0), D(12), D(4)) == D(1) / D(3)
    assert key_result_progress(D(0), D(12), None) == 0


def test_key_result_progress_works_when_the_target_is_below_the_start():
    assert key_result_progress(D(8), D(5), D("6.5")) == D("0.5")
    assert key_result_progress(D(8), D(5), D(9)) < 0


def test_key_result_progress_may_exceed_one_and_is_reported_as_measured():
    assert key_result_progress(D(0), D(10), D(15)) == D("1.5")


def test_objective_progress_caps_each_key_result_and_weights_the_mean():
    assert round(objective_progress([(D(1) / 3, D(1)), (D("0.5"), D(1))]) * 100) == 42
    assert objective_progress([(D("1.5"), D(1)), (D(0), D(1))]) == D("0.5")
    assert objective_progress([(D(1), D(2)), (D(0), D(1))]) == D(2) / D(3)
    assert objective_progress([]) == 0


def test_kpi_attainment_by_direction():
    assert kpi_attainment(D(15), D(12), "higher") == D("0.8")
    assert round(kpi_attainment(D(5), D(6), "lower"), 4) == D("0.8333")
    assert kpi_attainment(D(15), None, "higher") is None


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
