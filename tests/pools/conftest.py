from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool
from fundtracker.pools.services import ContributionInput, record_contribution

from ..conftest import login

RECEIVED = date(2026, 3, 1)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="cashier")


@pytest.fixture
def make_pool(app):
    def factory(name="强村富民 2026", **fields):
        pool = FundPool(name=name, year=2026, **fields)
        db.session.add(pool)
        db.session.commit()
        return pool

    return factory


@pytest.fixture
def pool(make_pool):
    return make_pool()


@pytest.fixture
def contribute(finance):
    def factory(pool, amount_fen, source="subsidy", received_on=RECEIVED, **extra):
        contribution = record_contribution(
            pool.id, ContributionInput(source, extra.pop("contributor", "县财政局"), amount_fen, received_on, **extra),
            actor=finance,
        )
        db.session.commit()
        return contribution

    return factory


@pytest.fixture
def finance_client(app, finance):
    client = app.test_client()
    assert login(client, finance).status_code == 303
    return client
