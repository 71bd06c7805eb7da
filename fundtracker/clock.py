"""Today's date where the county is (Asia/Shanghai by default), and the date rules of money forms."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# Dates before this are typos (a year 206 for 2026); plans reach at most this many years ahead.
EARLIEST_ACCEPTED_DATE = date(2000, 1, 1)
PLAN_HORIZON_YEARS = 30


def _refuse_too_early(value: date, field: str, latest: date) -> None:
    if value < EARLIEST_ACCEPTED_DATE:
        raise DomainError(_l("The date %(date)s is too early; accepted dates run from %(earliest)s to %(latest)s.",
                             date=value.isoformat(), earliest=EARLIEST_ACCEPTED_DATE.isoformat(),
                             latest=latest.isoformat()), field=field)


def refuse_future_date(value: date, field: str) -> None:
    """Money is recorded when it has moved: a date beyond today (plus a small tolerance) is a typo."""
    latest = local_today() + timedelta(days=current_app.config["FUTURE_DATE_TOLERANCE_DAYS"])
    _refuse_too_early(value, field, latest)
    if value > latest:
        raise DomainError(_l("The date %(date)s is in the future; accepted dates run from %(earliest)s to %(latest)s.",
                             date=value.isoformat(), earliest=EARLIEST_ACCEPTED_DATE.isoformat(),
                             latest=latest.isoformat()), field=field)


def refuse_implausible_plan_date(value: date, field: str) -> None:
    """A planned date (a project's start or end) lies between 2000 and a few decades ahead."""
    latest = date(local_today().year + PLAN_HORIZON_YEARS, 12, 31)
    _refuse_too_early(value, field, latest)
    if value > latest:
        raise DomainError(_l("The date %(date)s is too far ahead; accepted dates run from %(earliest)s to %(latest)s.",
                             date=value.isoformat(), earliest=EARLIEST_ACCEPTED_DATE.isoformat(),
                             latest=latest.isoformat()), field=field)


def add_months(start: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + (month == 12), month % 12 + 1, 1)
    return min(start.replace(year=year, month=month, day=1) + timedelta(days=start.day - 1),
               next_month_first - timedelta(days=1))
