"""Today's date where the county is (Asia/Shanghai by default), and the date rules of money forms."""
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import DomainError


def local_today() -> date:
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def refuse_future_date(value: date, field: str) -> None:
    """Money is recorded when it has moved: a date beyond today (plus a small tolerance) is a typo."""
    latest = local_today() + timedelta(days=current_app.config["FUTURE_DATE_TOLERANCE_DAYS"])
    if value > latest:
        raise DomainError(_l("The date %(date)s is in the future; the latest accepted is %(latest)s.",
                             date=value.isoformat(), latest=latest.isoformat()), field=field)


def add_months(start: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    next_month_first = date(year + (month == 12), month % 12 + 1, 1)
    return min(start.replace(year=year, month=month, day=1) + timedelta(days=start.day - 1),
               next_month_first - timedelta(days=1))
