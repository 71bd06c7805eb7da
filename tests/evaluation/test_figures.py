"""Evaluation arithmetic against hand-computed cases, the grade bands at their exact boundaries, and
ranking order with ties."""
import pytest

from fundtracker.evaluation import services
from fundtracker.evaluation.figures import score_of, share_bp, year_figures
from fundtracker.evaluation.ranking import competition_ranks
from fundtracker.evaluation.settings import DEFAULT_WEIGHTS, grade_for
from fundtracker.extensions import db

from .conftest import YEAR, publish


def test_the_default_weights_add_up_to_100_with_output_and_benefit_at_least_60():
    assert sum(DEFAULT_WEIGHTS.values()) == 100
    assert sum(DEFAULT_WEIGHTS[key] for key in ("milestones", "compliance", "net_return", "households")) >= 60


@pytest.mark.parametrize("part, whole, expected", [
    (1, 3, 3333), (2, 3, 6667), (1, 8, 1250), (1, 20_000, 1), (1, 40_000, 0), (5, 4, 10_000), (-1, 4, 0), (3, 0, None),
])
def test_a_share_is_basis_points_rounded_half_up_between_0_and_100_percent(part, whole, expected):
    assert share_bp(part, whole) == expected


def test_the_score_scales_the_applicable_weights_and_rounds_half_up_once():
    assert score_of({"a": 3333, "b": 10_000}, {"a": 1, "b": 2}) == 7778  # 23333 / 3 = 7777.67
    assert score_of({"a": 1, "b": 0}, {"a": 1, "b": 1}) == 1  # 0.5 rounds up
    assert score_of({"a": 10_000, "b": None}, {"a": 10, "b": 90}) == 10_000  # b not applicable


def test_the_figures_of_the_worked_example(app, hand_computed):
    figures = year_figures(hand_computed, YEAR)
    assert (figures.planned_fen, figures.paid_fen) == (100 * 10_000_00, 50 * 10_000_00)
    assert (figures.milestones_due, figures.milestones_on_time) == (2, 1)
    assert (figures.readings, figures.readings_compliant) == (4, 3)
    assert (figures.warnings_opened, figures.warnings_handled) == (1, 0)
    assert (figures.net_fen, figures.expected_net_fen) == (12 * 10_000_00, 15 * 10_000_00)
    assert figures.computed == {"procedure": 10_000, "targets": 10_000, "execution": 5_000, "warnings": 0,
                                "milestones": 5_000, "compliance": 7_500, "net_return": 8_000, "households": 0}


def test_the_score_of_the_worked_example(app, hand_computed, approver):
    # 10×100% + 5×100% + 15×50% + 10×0 + 10×50% + 20×75% + 20×80% + 10×0 = 58.50 points: 差
    evaluation = publish(hand_computed, approver)
    assert (evaluation.score_centi, evaluation.grade) == (5850, "poor")


def test_an_adjusted_judgment_indicator_counts_with_its_share(app, hand_computed, approver):
    # procedure at 80%: 10×80% instead of 10×100% -> 56.50
    evaluation = publish(hand_computed, approver,
                         adjustments={"procedure": services.Adjustment(80, "签到表缺失，立项程序不够规范。")})
    assert evaluation.score_centi == 5650
    procedure = evaluation.figures["indicators"][0]
    assert (procedure["computed_bp"], procedure["share_bp"], procedure["reason"]) == (
        10_000, 8_000, "签到表缺失，立项程序不够规范。")


def test_indicators_without_a_basis_are_left_out_and_the_rest_scaled_to_100(app, make_project, approver):
    # no tranche, reading, return or warning; no indicator set: (10×100% + 5×0 + 10×100%) / 25 = 80.00
    evaluation = publish(make_project(status="approved"), approver)
    assert (evaluation.score_centi, evaluation.grade) == (8000, "fairly_good")


@pytest.mark.parametrize("score_centi, grade", [
    (10_000, "good"), (9000, "good"), (8999, "fairly_good"), (8000, "fairly_good"), (7999, "fair"), (6000, "fair"),
    (5999, "poor"), (0, "poor"),
])
def test_grade_boundaries_are_exact(app, score_centi, grade):
    assert grade_for(score_centi) == grade


def test_the_grades_are_a_setting(make_app):
    app = make_app(EVALUATION_GRADES=(("excellent", 8500), ("pass", 6000), ("fail", 0)))
    with app.app_context():
        assert [grade_for(s) for s in (8500, 8499, 6000, 5999)] == ["excellent", "pass", "pass", "fail"]


def test_weights_that_do_not_add_up_to_100_are_refused(make_app, make_project):
    app = make_app(EVALUATION_WEIGHTS={**DEFAULT_WEIGHTS, "procedure": 11})
    with app.app_context(), pytest.raises(RuntimeError, match="adding up to 100"):
        from fundtracker.evaluation.figures import indicator_results
        indicator_results({}, {})


@pytest.mark.parametrize("scores, ranks", [
    ([9000, 9000, 8000], [1, 1, 3]),
    ([9500, 9000, 9000, 9000, 7000], [1, 2, 2, 2, 5]),
    ([8000], [1]),
    ([], []),
])
def test_ties_share_a_rank_and_the_next_rank_skips(scores, ranks):
    assert competition_ranks(scores) == ranks


def test_a_published_score_rounds_once_not_per_indicator(app, make_project, approver):
    evaluation = publish(make_project(status="approved"), approver,
                         adjustments={"procedure": services.Adjustment(33, "程序瑕疵")})
    # (10×33% + 0 + 10×100%) / 25 = 13.3 / 25 = 53.20
    assert evaluation.score_centi == 5320
    db.session.rollback()
