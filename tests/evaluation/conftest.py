from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.disbursements.models import Tranche
from fundtracker.evaluation import services
from fundtracker.extensions import db
from fundtracker.monitoring import services as monitoring
from fundtracker.pools.models import EntryKind
from fundtracker.pools.services import append_entry, commit_to_project
from fundtracker.returns import services as returns
from fundtracker.statemachine import TransitionData

from ..projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)

WAN = 10_000 * 100
YEAR = 2026


@pytest.fixture
def approver(make_user):
    return make_user(Role.APPROVER, username="county-lead")


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="cashier")


def publish(project, approver, year=YEAR, comment="按年度绩效目标评价。", adjustments=None):
    """Open, take up, comment (and adjust) and publish a project's year as the county."""
    evaluation = services.open_evaluation(project, year, actor=approver)
    services.apply_evaluation_action(evaluation, services.EvaluationAction.TAKE_UP, approver)
    services.save_county_draft(evaluation, comment=comment, adjustments=adjustments or {}, actor=approver)
    services.apply_evaluation_action(evaluation, services.EvaluationAction.PUBLISH, approver,
                                     TransitionData(comment="发布"))
    db.session.commit()
    return evaluation


def add_tranche(project, position, amount_wan, planned_on):
    tranche = Tranche(project_id=project.id, position=position, description=f"第{position}批",
                      amount_fen=amount_wan * WAN, planned_on=planned_on, required_documents=[])
    db.session.add(tranche)
    db.session.flush()
    return tranche


def pay(project, tranche, amount_wan, value_date, finance):
    append_entry(project.pool_id, EntryKind.DISBURSEMENT, amount_wan * WAN, actor=finance, value_date=value_date,
                 project_id=project.id, tranche_id=tranche.id)
    db.session.commit()


@pytest.fixture
def hand_computed(make_project, make_funded_pool, approver, finance, village_user):
    """The worked example of test_figures: a project of 100万 approved from a pool, three tranches planned in
    2026, two paid (one late), four readings (one red, which opens a warning), a first quarter's return."""
    pool = make_funded_pool()
    project = make_project(status="in_progress")
    project.approved_amount_fen, project.pool_id = 100 * WAN, pool.id
    commit_to_project(pool.id, project.id, 100 * WAN, actor=approver)
    first = add_tranche(project, 1, 30, date(2026, 3, 1))
    second = add_tranche(project, 2, 20, date(2026, 6, 1))
    add_tranche(project, 3, 50, date(2026, 12, 1))
    db.session.commit()
    pay(project, first, 30, date(2026, 3, 15), finance)  # within a month: on time
    pay(project, second, 20, date(2026, 8, 1), finance)  # two months late
    indicator = monitoring.add_indicator(project, monitoring.IndicatorInput("最低存栏数", "头", 100 * 100, None,
                                                                            monitored_from=date(2026, 3, 1)),
                                         actor=approver)
    for month, value in ((4, 120), (5, 90), (6, 105), (7, 150)):
        monitoring.record_reading(project, indicator, value_centi=value * 100, read_on=date(2026, month, 28),
                                  actor=village_user)
    returns.record_return(project, returns.ReturnInput("quarter", date(2026, 1, 1), 40 * WAN, 28 * WAN),
                          actor=village_user)
    db.session.commit()
    return project
