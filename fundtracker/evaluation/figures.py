"""The figures of a project's year and the score they give (settings.py has the table and its source).

year_figures() reads what the lower domains hold for one project and one calendar year (payments and
tranches, readings, warnings, returns and their distribution) in a fixed number of queries, whatever
their number; score_of() turns the indicators' shares into the 0–100 score. Everything is integer:
shares in basis points, the score in centi-points, each rounded half up once.
"""
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select

from ..clock import add_months, local_today
from ..disbursements.models import ProgressReport, ReportStatus, Tranche
from ..extensions import db
from ..money import round_half_up
from ..monitoring.models import Indicator, ProjectWarning, Reading, WarningStatus
from ..monitoring.status import Colour, value_causes
from ..pools.models import EntryKind, LedgerEntry
from ..returns.figures import period_rows
from ..returns.models import DistributionPlan, PlanStatus
from .settings import FULL_SHARE_BP, INDICATORS, JUDGMENT_KEYS, weights

HANDLED_WARNING_STATUSES = (WarningStatus.CLOSED, WarningStatus.DISMISSED)
BENEFITING_PLAN_STATUSES = (PlanStatus.PUBLISHED, PlanStatus.PAID)


def share_bp(part: int, whole: int) -> int | None:
    """part / whole in basis points, between 0 and 100 %, rounded half up; None without a whole."""
    if whole <= 0:
        return None
    return min(max(round_half_up(Fraction(part * FULL_SHARE_BP, whole)), 0), FULL_SHARE_BP)


def score_of(shares: dict[str, int | None], weight_of: dict[str, int]) -> int:
    """The weighted score in centi-points (0–10000) of the applicable indicators (share not None),
    scaled to their weights when some are not applicable."""
    applicable = {key: share for key, share in shares.items() if share is not None}
    total_weight = sum(weight_of[key] for key in applicable)
    if total_weight == 0:
        return 0
    return round_half_up(Fraction(sum(weight_of[key] * share for key, share in applicable.items()), total_weight))


@dataclass
class YearFigures:
    year: int
    as_of: date
    planned_fen: int = 0
    paid_fen: int = 0
    milestones_due: int = 0
    milestones_on_time: int = 0
    readings: int = 0
    readings_compliant: int = 0
    indicator_count: int = 0
    warnings_opened: int = 0
    warnings_handled: int = 0
    net_fen: int = 0
    expected_net_fen: int = 0
    periods_reported: int = 0
    households: int = 0
    computed: dict = field(default_factory=dict)  # indicator key -> share in basis points, or None

    def computed_shares(self) -> dict[str, int | None]:
        has_profit = self.periods_reported > 0 and self.net_fen > 0
        return {
            "procedure": FULL_SHARE_BP,
            "targets": FULL_SHARE_BP if self.indicator_count else 0,
            "execution": share_bp(self.paid_fen, self.planned_fen),
            "warnings": share_bp(self.warnings_handled, self.warnings_opened) if self.warnings_opened
            else FULL_SHARE_BP,
            "milestones": share_bp(self.milestones_on_time, self.milestones_due),
            "compliance": share_bp(self.readings_compliant, self.readings),
            "net_return": share_bp(self.net_fen, self.expected_net_fen) if self.periods_reported else None,
            "households": (FULL_SHARE_BP if self.households else 0) if has_profit else None,
        }


def _year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def _milestone_dates(project_id: int) -> dict[Tranche, date]:
    """Each tranche with the day its money fell due: its planned date, or for a tranche planned without a
    date, the day its milestone was reported reached (the first progress report the township confirmed)."""
    tranches = db.session.execute(select(Tranche).where(Tranche.project_id == project_id, Tranche.amount_fen > 0)
                                  ).scalars().all()
    reached = dict(db.session.execute(select(ProgressReport.tranche_id, func.min(ProgressReport.created_at)).where(
        ProgressReport.project_id == project_id, ProgressReport.status == ReportStatus.CONFIRMED)
        .group_by(ProgressReport.tranche_id)).all())
    dates = {}
    for tranche in tranches:
        if tranche.planned_on is not None:
            dates[tranche] = tranche.planned_on
        elif tranche.id in reached:
            dates[tranche] = reached[tranche.id].date()
    return dates


def _money_figures(figures: YearFigures, project_id: int, first: date, last: date) -> None:
    due_in_year = {tranche: due_on for tranche, due_on in _milestone_dates(project_id).items()
                   if first <= due_on <= last}
    figures.planned_fen = sum(tranche.amount_fen for tranche in due_in_year)
    payments = db.session.execute(select(LedgerEntry.tranche_id, LedgerEntry.value_date, LedgerEntry.amount_fen).where(
        LedgerEntry.project_id == project_id, LedgerEntry.tranche_id.is_not(None),
        LedgerEntry.kind.in_((EntryKind.DISBURSEMENT, EntryKind.REVERSAL)), LedgerEntry.value_date <= last)).all()
    figures.paid_fen = -sum(amount for _, value_date, amount in payments if value_date >= first)
    grace = current_app.config["TRANCHE_SLIP_YELLOW_MONTHS"]
    for tranche, due_on in due_in_year.items():
        deadline = add_months(due_on, grace)
        if deadline > figures.as_of:
            continue  # not late yet, whatever happens
        figures.milestones_due += 1
        paid_in_time = -sum(amount for tranche_id, value_date, amount in payments
                            if tranche_id == tranche.id and value_date <= deadline)
        figures.milestones_on_time += paid_in_time >= tranche.amount_fen


def _monitoring_figures(figures: YearFigures, project_id: int, first: date, last: date) -> None:
    indicators = {indicator.id: indicator for indicator in db.session.execute(
        select(Indicator).where(Indicator.project_id == project_id)).scalars()}
    figures.indicator_count = len(indicators)
    superseded = select(Reading.supersedes_id).where(Reading.supersedes_id.is_not(None))
    readings = db.session.execute(select(Reading.indicator_id, Reading.value_centi, Reading.read_on).where(
        Reading.project_id == project_id, Reading.read_on.between(first, min(last, figures.as_of)),
        Reading.id.not_in(superseded))).all()
    margin = current_app.config["MONITORING_MARGIN_PERCENT"]
    figures.readings = len(readings)
    figures.readings_compliant = sum(
        not any(cause.colour == Colour.RED for cause in value_causes(indicators[indicator_id], value, read_on, margin))
        for indicator_id, value, read_on in readings)
    statuses = db.session.execute(select(ProjectWarning.status).where(
        ProjectWarning.project_id == project_id, ProjectWarning.red_since.between(first, last))).scalars().all()
    figures.warnings_opened = len(statuses)
    figures.warnings_handled = sum(status in HANDLED_WARNING_STATUSES for status in statuses)


def _return_figures(figures: YearFigures, project, first: date, last: date) -> None:
    rows = [row for row in period_rows(project) if first <= row.record.period_start <= last]
    figures.periods_reported = len(rows)
    figures.net_fen = sum(row.record.net_fen for row in rows)
    figures.expected_net_fen = sum(row.expected_net_fen or 0 for row in rows)
    record_ids = [row.record.id for row in rows]
    if record_ids:
        figures.households = db.session.execute(select(func.max(DistributionPlan.households)).where(
            DistributionPlan.return_record_id.in_(record_ids), DistributionPlan.status.in_(BENEFITING_PLAN_STATUSES),
            DistributionPlan.dividends_fen > 0)).scalar_one() or 0


def year_figures(project, year: int) -> YearFigures:
    """The project's figures for a calendar year, counted up to today when the year is not over."""
    first, last = _year_bounds(year)
    figures = YearFigures(year=year, as_of=min(last, local_today()))
    _money_figures(figures, project.id, first, last)
    _monitoring_figures(figures, project.id, first, last)
    _return_figures(figures, project, first, last)
    figures.computed = figures.computed_shares()
    return figures


@dataclass(frozen=True)
class IndicatorResult:
    key: str
    dimension: str
    weight: int
    computed_bp: int | None
    share_bp: int | None
    reason: str = ""

    @property
    def points_centi(self) -> int | None:
        """The indicator's points out of its weight, in centi-points (before any scaling)."""
        return None if self.share_bp is None else round_half_up(Fraction(self.weight * self.share_bp, 100))


def indicator_results(computed: dict, adjustments: dict) -> list[IndicatorResult]:
    """Each indicator with its computed share and the share it counts with (an evaluator's adjustment of a
    judgment indicator, with its reason, replaces the computed one)."""
    weight_of = weights()
    results = []
    for indicator in INDICATORS:
        adjustment = adjustments.get(indicator.key) if indicator.key in JUDGMENT_KEYS else None
        share = adjustment["share_bp"] if adjustment else computed.get(indicator.key)
        results.append(IndicatorResult(indicator.key, indicator.dimension, weight_of[indicator.key],
                                       computed.get(indicator.key), share, adjustment["reason"] if adjustment else ""))
    return results


def score_centi(results: list[IndicatorResult]) -> int:
    return score_of({r.key: r.share_bp for r in results}, {r.key: r.weight for r in results})
