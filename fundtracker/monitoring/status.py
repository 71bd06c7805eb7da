"""Red / yellow / green: the one function that says how an indicator and a project stand, and why.

Rules (DESIGN.md "Red / yellow / green"; every threshold a setting):
- a reading below its minimum or above its maximum is red;
- a reading within MONITORING_MARGIN_PERCENT of a bound (the bound itself included) is yellow;
- no reading by one reporting interval after the last one (or after monitoring started) is yellow,
  from the day after that due date;
- a loan of the project's pool with an overdue instalment turns the project yellow;
- a tranche not fully paid more than TRANCHE_SLIP_YELLOW_MONTHS after its planned date is yellow,
  more than TRANCHE_SLIP_RED_MONTHS red (the schedule has slipped).

project_statuses() answers for a page of projects in a fixed number of queries.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from babel.dates import format_skeleton
from flask import current_app
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import func, select

from ..clock import add_months
from ..enums import LabelledEnum
from ..extensions import db
from ..money import hundredths
from ..disbursements.models import Tranche
from ..disbursements.services import paid_by_tranche
from ..pools.loans import pools_with_overdue_instalments
from ..signals import Hook, handlers
from .models import INTERVAL_MONTHS, Indicator, Reading


class Colour(LabelledEnum):
    GREEN = "green", _l("Green")
    YELLOW = "yellow", _l("Yellow")
    RED = "red", _l("Red")


COLOUR_LABELS = Colour.labels()
SEVERITY = {Colour.GREEN: 0, Colour.YELLOW: 1, Colour.RED: 2}


def worst(colours) -> Colour:
    return max(colours, key=SEVERITY.__getitem__, default=Colour.GREEN)


def format_value(value_centi: int | None) -> str:
    """14200 -> '142', 8750 -> '87.5', 12345 -> '123.45' (no trailing zeros, no exponent)."""
    if value_centi is None:
        return "—"
    value = hundredths(value_centi).normalize()
    return f"{value:f}" if value != value.to_integral_value() else f"{value.to_integral_value():f}"


def month_of(day: date) -> LazyString:
    """'2026年10月' or 'Oct 2026', in the language the sentence is shown in."""
    return LazyString(lambda: format_skeleton("yMMM", day, locale=get_locale() or "zh"))


@dataclass(frozen=True)
class Cause:
    colour: Colour
    message: object  # a lazy string: one sentence per cause
    indicator_id: int | None = None

    def __str__(self) -> str:
        return str(self.message)


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    latest: Reading | None
    due_on: date
    causes: tuple[Cause, ...]

    @property
    def colour(self) -> Colour:
        return worst(cause.colour for cause in self.causes)


@dataclass
class ProjectMonitoring:
    indicators: list[IndicatorStatus] = field(default_factory=list)
    causes: list[Cause] = field(default_factory=list)

    @property
    def colour(self) -> Colour:
        return worst(cause.colour for cause in self.causes)


def _within_margin(distance_centi: int, bound_centi: int, margin_percent: int) -> bool:
    """distance ≤ margin% of |bound|, exactly (integers, no rounding)."""
    return distance_centi * 100 <= abs(bound_centi) * margin_percent


def value_causes(indicator, value_centi: int, read_on: date, margin_percent: int) -> list[Cause]:
    """Red outside the bounds, yellow within the margin of one (the bound itself included)."""
    values = {"name": indicator.name, "value": format_value(value_centi), "unit": indicator.unit,
              "month": month_of(read_on)}
    low, high = indicator.minimum_centi, indicator.maximum_centi
    if low is not None and value_centi < low:
        return [Cause(Colour.RED, _l("%(name)s %(value)s %(unit)s, below the minimum of %(bound)s %(unit)s "
                                     "(reading of %(month)s).", bound=format_value(low), **values), indicator.id)]
    if high is not None and value_centi > high:
        return [Cause(Colour.RED, _l("%(name)s %(value)s %(unit)s, above the maximum of %(bound)s %(unit)s "
                                     "(reading of %(month)s).", bound=format_value(high), **values), indicator.id)]
    causes = []
    if low is not None and _within_margin(value_centi - low, low, margin_percent):
        causes.append(Cause(Colour.YELLOW, _l("%(name)s %(value)s %(unit)s, within %(margin)d%% of the minimum of "
                                              "%(bound)s %(unit)s (reading of %(month)s).", bound=format_value(low),
                                              margin=margin_percent, **values), indicator.id))
    if high is not None and _within_margin(high - value_centi, high, margin_percent):
        causes.append(Cause(Colour.YELLOW, _l("%(name)s %(value)s %(unit)s, within %(margin)d%% of the maximum of "
                                              "%(bound)s %(unit)s (reading of %(month)s).", bound=format_value(high),
                                              margin=margin_percent, **values), indicator.id))
    return causes


def due_date(indicator, latest_read_on: date | None) -> date:
    return add_months(latest_read_on or indicator.monitored_from, INTERVAL_MONTHS[indicator.reporting_interval])


def indicator_status(indicator, latest: Reading | None, today: date, margin_percent: int) -> IndicatorStatus:
    """The one function: how an indicator stands today given its latest reading, and why."""
    causes = value_causes(indicator, latest.value_centi, latest.read_on, margin_percent) if latest else []
    due_on = due_date(indicator, latest.read_on if latest else None)
    if today > due_on:
        causes.append(Cause(Colour.YELLOW, _l("%(name)s: no reading since %(since)s; it was due on %(due)s.",
                                              name=indicator.name, since=(latest.read_on if latest else
                                                                          indicator.monitored_from).isoformat(),
                                              due=due_on.isoformat()), indicator.id))
    return IndicatorStatus(indicator, latest, due_on, tuple(causes))


def latest_readings(indicator_ids) -> dict[int, Reading]:
    """The latest reading in force (not superseded) of each indicator: one query."""
    indicator_ids = list(indicator_ids)
    if not indicator_ids:
        return {}
    superseded = select(Reading.supersedes_id).where(Reading.supersedes_id.is_not(None))
    ranked = (select(Reading.id, func.row_number().over(partition_by=Reading.indicator_id,
                                                        order_by=(Reading.read_on.desc(), Reading.id.desc()))
                     .label("rank"))
              .where(Reading.indicator_id.in_(indicator_ids), Reading.id.not_in(superseded)).subquery())
    rows = db.session.execute(select(Reading).join(ranked, ranked.c.id == Reading.id).where(ranked.c.rank == 1))
    return {reading.indicator_id: reading for reading in rows.scalars()}


def project_statuses(projects, today: date) -> dict[int, ProjectMonitoring]:
    """Every project's indicators with their status and the project's causes, in four queries (and a
    fixed number more for each domain connected to Hook.MONITORING_CAUSES)."""
    projects = list(projects)
    margin = current_app.config["MONITORING_MARGIN_PERCENT"]
    result = {project.id: ProjectMonitoring() for project in projects}
    if not projects:
        return result
    indicators = db.session.execute(
        select(Indicator).where(Indicator.project_id.in_(list(result))).order_by(Indicator.project_id, Indicator.id)
    ).scalars().all()
    latest = latest_readings(indicator.id for indicator in indicators)
    for indicator in indicators:
        status = indicator_status(indicator, latest.get(indicator.id), today, margin)
        result[indicator.project_id].indicators.append(status)
        result[indicator.project_id].causes.extend(status.causes)
    for project_id, causes in tranche_slip_causes(list(result), today).items():
        result[project_id].causes.extend(causes)
    for provider in handlers(Hook.MONITORING_CAUSES):
        for project_id, causes in provider(projects, today).items():
            result[project_id].causes.extend(causes)
    overdue_loans = pools_with_overdue_instalments((p.pool_id for p in projects if p.pool_id), today)
    for project in projects:
        for position in overdue_loans.get(project.pool_id, ()):
            result[project.id].causes.append(Cause(Colour.YELLOW, _l(
                "The pool's loan from %(lender)s has an instalment overdue since %(due)s.",
                lender=position.contribution.lender, due=position.overdue_since.isoformat())))
    return result


def slip_colour(planned_on: date, today: date) -> Colour | None:
    """Red past TRANCHE_SLIP_RED_MONTHS after the planned date, yellow past TRANCHE_SLIP_YELLOW_MONTHS."""
    config = current_app.config
    if today > add_months(planned_on, config["TRANCHE_SLIP_RED_MONTHS"]):
        return Colour.RED
    if today > add_months(planned_on, config["TRANCHE_SLIP_YELLOW_MONTHS"]):
        return Colour.YELLOW
    return None


def tranche_slip_causes(project_ids, today: date) -> dict[int, list[Cause]]:
    """Tranches planned for a date long past and still not fully paid (two queries for all projects)."""
    tranches = db.session.execute(select(Tranche).where(
        Tranche.project_id.in_(project_ids), Tranche.planned_on.is_not(None), Tranche.planned_on < today)
    ).scalars().all()
    paid = paid_by_tranche(tranche.id for tranche in tranches)
    causes: dict[int, list[Cause]] = {}
    for tranche in tranches:
        colour = slip_colour(tranche.planned_on, today) if paid.get(tranche.id, 0) < tranche.amount_fen else None
        if colour is not None:
            causes.setdefault(tranche.project_id, []).append(Cause(colour, _l(
                "Tranche %(n)d (%(milestone)s) was planned for %(planned)s and is not fully paid: the schedule has "
                "slipped.", n=tranche.position, milestone=tranche.description, planned=tranche.planned_on.isoformat())))
    return causes


def project_status(project, today: date) -> ProjectMonitoring:
    return project_statuses([project], today)[project.id]


def parse_value(text: str) -> int:
    """'142', '87.5', '1,234.56', '-3' -> hundredths; ValueError with a message a person can act on."""
    cleaned = (text or "").strip().replace(",", "").replace("，", "").rstrip("%").strip()
    try:
        value = Decimal(cleaned) * 100
    except ArithmeticError:
        raise ValueError(_l("Enter the value as a number, e.g. 142 or 87.5.")) from None
    if not value.is_finite() or not cleaned[-1:].isdigit():
        raise ValueError(_l("Enter the value as a number, e.g. 142 or 87.5."))
    if value != value.to_integral_value():
        raise ValueError(_l("Use at most two decimals."))
    if abs(value) >= 10**15:
        raise ValueError(_l("The value is too large."))
    return int(value)
