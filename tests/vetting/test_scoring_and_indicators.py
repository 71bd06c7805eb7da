"""The panel's arithmetic and the computed indicators, against hand-computed values."""
from decimal import Decimal

import pytest

from fundtracker.vetting.indicators import (
    IndicatorInputs,
    debt_service_cover,
    payback_years,
    roi_percent,
    self_funding_percent,
    suggested_risk_grade,
)
from fundtracker.vetting.scoring import (
    criterion_mean_centi,
    format_points,
    panel_score_centi,
    sheet_total_centi,
    spread_flagged,
)

WAN = 1_000_000  # fen


def test_sheet_total_is_the_weighted_sum_in_hundredths():
    assert sheet_total_centi([(25, 80), (25, 70), (25, 90), (25, 73)]) == 7825
    assert format_points(7825) == "78.25"
    assert sheet_total_centi([(40, 61), (30, 77), (20, 50), (10, 99)]) == 2440 + 2310 + 1000 + 990  # 67.40
    assert sheet_total_centi([(100, 0)]) == 0 and sheet_total_centi([(100, 100)]) == 10000


@pytest.mark.parametrize("totals, expected", [
    ([7825], 7825),
    ([8000, 7000], 7500),
    ([7801, 7802], 7802),  # 78.015 rounds half up to 78.02
    ([7800, 7801, 7801], 7801),  # 78.0066…
    ([6000, 7000, 8000, 9000], 7500),  # four sheets: no trimming
    ([6000, 7000, 8000, 9000, 10000], 8000),  # five: drop 60 and 100
    ([7000, 7000, 8000, 9000, 9000], 8000),  # ties: one highest and one lowest only
    ([5000, 9000, 9000, 9000, 9000, 9000], 9000),
    ([], None),
])
def test_panel_score_mean_with_trimming_at_five(totals, expected):
    assert panel_score_centi(totals, trim_from=5) == expected


def test_spread_flag_is_strictly_above_the_threshold():
    assert not spread_flagged([6000, 8000], 20)
    assert spread_flagged([6000, 8001], 20)
    assert not spread_flagged([9000], 20)


def test_criterion_mean_rounds_half_up():
    assert criterion_mean_centi([80, 85]) == 8250
    assert criterion_mean_centi([1, 2, 2]) == 167  # 1.666…
    assert criterion_mean_centi([]) is None


BASE = IndicatorInputs(total_investment_fen=500 * WAN, yearly_net_fen=60 * WAN, self_raised_fen=100 * WAN,
                       loan_fen=200 * WAN, loan_rate_bp=385, loan_term_months=36)


def test_indicators_against_hand_computed_values():
    assert roi_percent(BASE) == Decimal("12.00")
    assert payback_years(BASE) == Decimal("8.33")
    # interest 7.7万 + principal 200/3 = 66.6667万 -> 74.3667万 a year; 60 / 74.3667 = 0.8068
    assert debt_service_cover(BASE) == Decimal("0.81")
    assert self_funding_percent(BASE) == Decimal("20.00")


def test_indicators_without_divisions_by_zero():
    nothing = IndicatorInputs(total_investment_fen=0, yearly_net_fen=0)
    assert roi_percent(nothing) is None and payback_years(nothing) is None
    assert self_funding_percent(nothing) is None and debt_service_cover(nothing) is None
    no_loan = IndicatorInputs(total_investment_fen=100 * WAN, yearly_net_fen=10 * WAN, loan_fen=0)
    assert debt_service_cover(no_loan) is None
    losing = IndicatorInputs(total_investment_fen=100 * WAN, yearly_net_fen=-5 * WAN)
    assert payback_years(losing) is None and roi_percent(losing) == Decimal("-5.00")
    loan_without_terms = IndicatorInputs(total_investment_fen=100 * WAN, yearly_net_fen=30 * WAN, loan_fen=50 * WAN)
    assert debt_service_cover(loan_without_terms) == Decimal("0.60")  # whole loan due within the year, no rate


@pytest.mark.parametrize("inputs, grade", [
    (BASE, "high"),  # debt-service cover 0.81
    (IndicatorInputs(500 * WAN, 80 * WAN, 100 * WAN), "medium"),  # ROI 16% but payback 6.25 years
    (IndicatorInputs(500 * WAN, 110 * WAN, 100 * WAN), "low"),  # ROI 22%, payback 4.55, no loan, 20% own
    (IndicatorInputs(500 * WAN, 110 * WAN, 10 * WAN), "medium"),  # only 2% self-raised
    (IndicatorInputs(500 * WAN, 0), "high"),
    (IndicatorInputs(500 * WAN, 50 * WAN, 100 * WAN), "high"),  # payback 10 years
])
def test_suggested_risk_grade_rules(inputs, grade):
    assert suggested_risk_grade(inputs) == grade
