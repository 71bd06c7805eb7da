"""Today's date where the county is (Asia/Shanghai by default), and the date rules of money forms."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError
from .formatting import local_date


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["TIMEZONE"])).date()


# No record of this county's funds, meetings or projects is older; an earlier date is a typo
# (and a loan from 0001-01-01 would accrue two thousand years of interest).
EARLIEST_DATE = date(2000, 1, 1)
# How far ahead a plan may reach (a project's start and end).
PLANNING_HORIZON_YEARS = 20


def _refuse_outside(value: date, field: str, latest: date, too_late_message) -> None:
    if value < EARLIEST_DATE:
        raise DomainError(_l("The date %(date)s is too early; accepted dates run from %(earliest)s to %(latest)s.",
                             date=local_date(value), earliest=local_date(EARLIEST_DATE), latest=local_date(latest)),
                          field=field)
    if value > latest:
        raise DomainError(too_late_message(date=local_date(value), earliest=local_date(EARLIEST_DATE),
                                           latest=local_date(latest)), field=field)


def refuse_future_date(value: date, field: str) -> None:
    """A date of something that has happened (money received, a loan started, a meeting held, a visit
    made, a filing): from EARLIEST_DATE to today, plus a small tolerance; anything else is a typo."""
    latest = local_today() + timedelta(days=current_app.config["FUTURE_DATE_TOLERANCE_DAYS"])
    _refuse_outside(value, field, latest, lambda **dates: _l(
        "The date %(date)s is in the future; accepted dates run from %(earliest)s to %(latest)s.", **dates))


def refuse_implausible_plan_date(value: date, field: str) -> None:
    """A planned date (a project's start or end): from EARLIEST_DATE to the end of the year
    PLANNING_HORIZON_YEARS from now."""
    latest = date(local_today().year + PLANNING_HORIZON_YEARS, 12, 31)
    _refuse_outside(value, field, latest, lambda **dates: _l(
        "The date %(date)s is too far ahead; accepted dates run from %(earliest)s to %(latest)s.", **dates))


def add_months(start: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + (month == 12), month % 12 + 1, 1)
    return min(start.replace(year=year, month=month, day=1) + timedelta(days=start.day - 1),
               next_month_first - timedelta(days=1))
