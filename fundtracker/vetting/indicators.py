"""Computed indicators (线上数据评估) from the application, beside the panel's scores.

All figures come from the project's own application: the total investment, the funding plan
and the expected yearly revenue and cost (the mean net over the planned years). A figure that
would divide by zero is None, shown as "—".

- ROI = expected yearly net / total investment.
- Payback years = total investment / expected yearly net (None when the net is not positive).
- Debt-service cover = expected yearly net / (yearly interest + yearly principal due), where
  yearly interest = loan × annual rate and yearly principal = loan spread evenly over the
  term (the whole loan when the term is a year or less). None without a loan.
- Self-funding ratio = self-raised money / total investment.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .models import RiskGrade

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class IndicatorInputs:
    total_investment_fen: int
    yearly_net_fen: int
    self_raised_fen: int = 0
    loan_fen: int = 0
    loan_rate_bp: int | None = None
    loan_term_months: int | None = None


def indicator_inputs(project) -> IndicatorInputs:
    return IndicatorInputs(
        total_investment_fen=project.total_investment_fen, yearly_net_fen=project.expected_yearly_net_fen,
        self_raised_fen=project.funding_self_raised_fen, loan_fen=project.funding_loan_fen,
        loan_rate_bp=project.loan_rate_bp, loan_term_months=project.loan_term_months,
    )


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def roi_percent(data: IndicatorInputs) -> Decimal | None:
    if data.total_investment_fen <= 0:
        return None
    return _decimal(Fraction(data.yearly_net_fen * 100, data.total_investment_fen))


def payback_years(data: IndicatorInputs) -> Decimal | None:
    if data.yearly_net_fen <= 0 or data.total_investment_fen <= 0:
        return None
    return _decimal(Fraction(data.total_investment_fen, data.yearly_net_fen))


def yearly_debt_service_fen(data: IndicatorInputs) -> Fraction:
    if data.loan_fen <= 0:
        return Fraction(0)
    interest = Fraction(data.loan_fen * (data.loan_rate_bp or 0), 10_000)
    term_years = Fraction(data.loan_term_months or 12, 12)
    principal = Fraction(data.loan_fen) / max(term_years, Fraction(1))
    return interest + principal


def debt_service_cover(data: IndicatorInputs) -> Decimal | None:
    service = yearly_debt_service_fen(data)
    if service <= 0:
        return None
    return _decimal(Fraction(data.yearly_net_fen) / service)


def self_funding_percent(data: IndicatorInputs) -> Decimal | None:
    if data.total_investment_fen <= 0:
        return None
    return _decimal(Fraction(data.self_raised_fen * 100, data.total_investment_fen))


def suggested_risk_grade(data: IndicatorInputs) -> RiskGrade:
    """The one rule for the suggested grade; the panel may set another with a reason.

    High: no positive yearly net, payback beyond 8 years, or a loan covered less than 1.2 times.
    Low: ROI of 12% or more, payback within 5 years, a loan (if any) covered 2 times or more, and
    at least 10% self-raised. Medium: everything else.
    """
    roi, payback = roi_percent(data), payback_years(data)
    cover, self_funding = debt_service_cover(data), self_funding_percent(data)
    if payback is None or payback > 8 or (cover is not None and cover < Decimal("1.2")):
        return RiskGrade.HIGH
    if (roi is not None and roi >= 12 and payback <= 5 and (cover is None or cover >= 2)
            and self_funding is not None and self_funding >= 10):
        return RiskGrade.LOW
    return RiskGrade.MEDIUM


@dataclass(frozen=True)
class Indicators:
    roi_percent: Decimal | None
    payback_years: Decimal | None
    debt_service_cover: Decimal | None
    self_funding_percent: Decimal | None
    suggested_risk_grade: RiskGrade


def indicators_for(project) -> Indicators:
    data = indicator_inputs(project)
    return Indicators(roi_percent(data), payback_years(data), debt_service_cover(data), self_funding_percent(data),
                      suggested_risk_grade(data))
