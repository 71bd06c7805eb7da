from datetime import date

import pytest

from fundtracker.extensions import db
from fundtracker.returns import services

from ..projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)

WAN = 10_000 * 100


@pytest.fixture
def operating(make_project):
    """An approved project of the village user (no pool: the settings' share rules apply)."""
    def factory(**changes):
        return make_project(status="approved", **changes)

    return factory


def report(project, actor, year, revenue_wan, cost_wan, kind="year", month=1, **kwargs):
    record = services.record_return(project, services.ReturnInput(
        period_kind=kind, period_start=date(year, month, 1), revenue_fen=revenue_wan * WAN,
        cost_fen=cost_wan * WAN), actor=actor, **kwargs)
    db.session.commit()
    return record


def parts(net_wan, collective=30, dividends=40, reinvestment=20, risk=10, loan=0, households=300):
    """A plan in percent of a net income in 万元 (the percentages add up to 100)."""
    fen = net_wan * WAN
    return services.PlanInput(collective_fen=fen * collective // 100, dividends_fen=fen * dividends // 100,
                              households=households, reinvestment_fen=fen * reinvestment // 100,
                              risk_reserve_fen=fen * risk // 100, loan_service_fen=fen * loan // 100)
