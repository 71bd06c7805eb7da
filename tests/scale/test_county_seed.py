"""`flask seed-demo --villages --projects --entries`: a county written in bulk that keeps every ledger
rule (sequence, stored balances, both chains), so that verify-ledger passes on it."""
from datetime import date

from sqlalchemy import func, select, text

from fundtracker.auth.models import User

from fundtracker.extensions import db
from fundtracker.geo.models import Village
from fundtracker.pools.demo import BIG_POOL_SHARE, COUNTY_PROGRAMME
from fundtracker.pools.models import Commitment, Contribution, FundPool, SourceType
from fundtracker.pools.services import ContributionInput, record_contribution
from fundtracker.projects.models import Project

from ..conftest import USE_POSTGRES


def test_a_small_county_seeds_in_bulk_and_verifies(app):
    runner = app.test_cli_runner()
    started = db.session.execute(text("SELECT clock_timestamp()")).scalar() if USE_POSTGRES else None
    db.session.commit()
    result = runner.invoke(args=["seed-demo", "--villages", "40", "--projects", "300", "--entries", "12000"])
    assert result.exit_code == 0, result.output
    if USE_POSTGRES:  # vacuumed after the bulk load, as autovacuum would: counts can read an index alone
        vacuumed = db.session.execute(text("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'projects'"))
        assert (vacuumed.scalar() or started) > started
    county_pools = db.session.execute(select(FundPool).where(FundPool.programme == COUNTY_PROGRAMME)
                                      .order_by(FundPool.id)).scalars().all()
    sizes = [pool.last_sequence for pool in county_pools]
    assert sum(sizes) == 12_000 and sizes[0] == round(12_000 * BIG_POOL_SHARE)
    assert db.session.execute(select(func.count(Village.id)).where(Village.name.startswith("县域村"))).scalar_one() == 40
    assert db.session.execute(select(func.count(Project.id)).where(Project.title.contains("项目 "))).scalar_one() >= 300
    assert db.session.execute(select(func.count(Commitment.id)).where(Commitment.reason == "县域基准数据")).scalar_one()
    loans = db.session.execute(select(Contribution).where(Contribution.source_type == SourceType.LOAN,
                                                          Contribution.pool_id == county_pools[0].id)).scalars().all()
    assert loans and all(loan.collateral for loan in loans)
    # A contribution through the service continues the bulk-written chain (and the id sequence).
    finance = db.session.execute(select(User).where(User.username == "finance")).scalar_one()
    record_contribution(county_pools[0].id, ContributionInput(SourceType.SUBSIDY, "县财政局", 100, date(2026, 1, 5)),
                        actor=finance)
    db.session.commit()
    verified = runner.invoke(args=["verify-ledger"])
    assert verified.exit_code == 0 and "no violation" in verified.output, verified.output[-2000:]


def test_a_broken_bulk_chain_is_caught(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo", "--entries", "1000"]).exit_code == 0
    pool = db.session.execute(select(FundPool).where(FundPool.programme == COUNTY_PROGRAMME)).scalars().first()
    pool.balance_fen += 1  # a stored figure that no longer matches its rows
    db.session.commit()
    verified = runner.invoke(args=["verify-ledger"])
    assert verified.exit_code == 1 and "stored balance" in verified.output
