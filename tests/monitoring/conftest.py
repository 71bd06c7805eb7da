from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.monitoring import services
from fundtracker.monitoring.models import ReportingInterval

from ..projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)

TODAY = date(2026, 11, 23)


@pytest.fixture
def approver(make_user):
    return make_user(Role.APPROVER, username="county-lead")


@pytest.fixture
def monitored(make_project, approver, village_user):
    """An approved project with one indicator (minimum 300 head, monthly, from 30 June 2026)."""
    def factory(minimum=300, maximum=None, interval=ReportingInterval.MONTHLY, **changes):
        project = make_project(status="approved", **changes)
        indicator = services.add_indicator(project, services.IndicatorInput(
            name="最低存栏数", unit="头", minimum_centi=None if minimum is None else minimum * 100,
            maximum_centi=None if maximum is None else maximum * 100, reporting_interval=interval,
            monitored_from=date(2026, 6, 30)), actor=approver)
        db.session.commit()
        return project, indicator

    return factory


def read(project, indicator, value, on, actor, **kwargs):
    reading = services.record_reading(project, indicator, value_centi=round(value * 100), read_on=on, actor=actor,
                                      **kwargs)
    db.session.commit()
    return reading
