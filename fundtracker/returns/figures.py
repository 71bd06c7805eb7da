"""The returns view's figures: each period against the application's expected figures (the yearly
plan of the year the period falls in, pro rata to its months), the cumulative net, the cumulative
return on the money paid to the project, and the geometry of the server-rendered SVG chart."""
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from ..extensions import db
from ..money import round_half_up
from ..pools.services import paid_to_project_fen
from ..projects.models import ProjectYearPlan
from .models import PERIOD_MONTHS, ReturnRecord
from .services import in_force_records, period_label


@dataclass(frozen=True)
class PeriodRow:
    record: ReturnRecord
    label: object
    expected_revenue_fen: int | None
    expected_cost_fen: int | None
    cumulative_net_fen: int

    @property
    def expected_net_fen(self) -> int | None:
        if self.expected_revenue_fen is None:
            return None
        return self.expected_revenue_fen - self.expected_cost_fen

    @property
    def net_against_expected(self) -> Decimal | None:
        """Actual net / expected net in percent, one decimal; None without a positive expectation."""
        expected = self.expected_net_fen
        if not expected or expected <= 0:
            return None
        return (Decimal(self.record.net_fen) * 100 / Decimal(expected)).quantize(Decimal("0.1"))


def _year_number(project, record: ReturnRecord) -> int:
    start = project.start_on or record.period_start
    months = (record.period_start.year - start.year) * 12 + record.period_start.month - start.month
    return max(months // 12, 0) + 1


def period_rows(project) -> list[PeriodRow]:
    """The records in force with their expectations and running net: two queries, whatever their number."""
    records = in_force_records(project.id)
    plans = {plan.year_number: plan for plan in db.session.execute(
        select(ProjectYearPlan).where(ProjectYearPlan.project_id == project.id)).scalars()}
    last_plan = plans[max(plans)] if plans else None
    rows, cumulative = [], 0
    for record in records:
        plan = plans.get(_year_number(project, record), last_plan)
        share = Fraction(PERIOD_MONTHS[record.period_kind], 12)
        cumulative += record.net_fen
        rows.append(PeriodRow(
            record, period_label(record.period_kind, record.period_start),
            round_half_up(plan.revenue_fen * share) if plan else None,
            round_half_up(plan.cost_fen * share) if plan else None, cumulative))
    return rows


def return_on_paid(rows: list[PeriodRow], project_id: int) -> tuple[int, Decimal | None]:
    """(money paid to the project, cumulative net / paid in percent, or None before any payment)."""
    paid = paid_to_project_fen(project_id)
    if not rows or paid <= 0:
        return paid, None
    return paid, (Decimal(rows[-1].cumulative_net_fen) * 100 / Decimal(paid)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    zero_y: float
    bars: list[Bar]
    expected_points: str  # the polyline of the expected net
    labels: list[tuple[float, object]]
    top_label: int  # fen at the top of the scale


CHART_HEIGHT, PLOT_TOP, PLOT_BOTTOM, GROUP_WIDTH, BAR_WIDTH = 240, 10, 200, 72, 18


def chart(rows: list[PeriodRow]) -> Chart:
    """Bars of revenue, cost and net per period, the expected net as a line; negatives below the axis."""
    values = [v for row in rows for v in (row.record.revenue_fen, row.record.cost_fen, row.record.net_fen,
                                          row.expected_net_fen or 0)]
    top, bottom = max([0, *values]), min([0, *values])
    span = (top - bottom) or 1
    scale = (PLOT_BOTTOM - PLOT_TOP) / span
    zero_y = PLOT_TOP + top * scale

    def y_of(value: int) -> float:
        return round(zero_y - value * scale, 1)

    bars, points, labels = [], [], []
    for index, row in enumerate(rows):
        left = 40 + index * GROUP_WIDTH
        for offset, (value, css) in enumerate(((row.record.revenue_fen, "bar-revenue"),
                                               (row.record.cost_fen, "bar-cost"), (row.record.net_fen, "bar-net"))):
            y = min(y_of(value), zero_y)
            bars.append(Bar(left + offset * BAR_WIDTH, y, round(abs(value) * scale, 1), css, str(value)))
        if row.expected_net_fen is not None:
            points.append(f"{left + 1.5 * BAR_WIDTH},{y_of(row.expected_net_fen)}")
        labels.append((left + 1.5 * BAR_WIDTH, row.label))
    return Chart(width=max(40 + len(rows) * GROUP_WIDTH + 20, 200), height=CHART_HEIGHT, zero_y=round(zero_y, 1),
                 bars=bars, expected_points=" ".join(points), labels=labels, top_label=top)
