from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.demo import seed_demo
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind
from fundtracker.pools.services import append_entry, commit_to_project
from fundtracker.returns import services as returns

from ..conftest import login
from ..projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)

WAN = 10_000 * 100


@pytest.fixture
def demo(app):
    """The demo county, as `flask seed-demo` loads it."""
    seed_demo()
    db.session.commit()


@pytest.fixture
def county_client(app, make_user):
    client = app.test_client()
    assert login(client, make_user(Role.APPROVER, username="county-lead")).status_code == 303
    return client


@pytest.fixture
def cashier(make_user):
    return make_user(Role.FINANCE, username="dashboard-cashier")


@pytest.fixture
def funded_project(make_project, make_user, cashier):
    """An approved project of a village, with its commitment, payments (yuan by date) and yearly returns."""
    def factory(village, pool, *, approved_wan=100, payments=(), returns_by_year=(), title="项目"):
        author = make_user(Role.VILLAGE, village=village)
        project = make_project(status="in_progress", author=author, title=title)
        project.approved_amount_fen, project.pool_id = approved_wan * WAN, pool.id
        commit_to_project(pool.id, project.id, approved_wan * WAN, actor=cashier)
        for paid_on, wan in payments:
            append_entry(pool.id, EntryKind.DISBURSEMENT, wan * WAN, actor=cashier, value_date=paid_on,
                         project_id=project.id)
        for year, revenue_wan, cost_wan in returns_by_year:
            returns.record_return(project, returns.ReturnInput("year", date(year, 1, 1), revenue_wan * WAN,
                                                               cost_wan * WAN), actor=author)
        db.session.commit()
        return project

    return factory
