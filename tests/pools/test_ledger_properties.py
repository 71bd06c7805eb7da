"""Property: any sequence of contributions and reversals keeps balances equal to the sum of
entries, never negative, and verify-ledger OK. Plus verify-ledger catching real violations."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind, FundPool, LedgerEntry, LoanRepayment
from fundtracker.pools.services import (
    CollateralInput,
    ContributionInput,
    LoanTerms,
    append_entry,
    figures_for,
    record_contribution,
    reverse_entry,
)
from fundtracker.pools.verify import verify_ledger

contribution = st.tuples(st.just("contribute"), st.integers(0, 1), st.integers(1, 10**11),
                         st.sampled_from(["subsidy", "loan_free", "self_raised", "donation", "other"]))
reversal = st.tuples(st.just("reverse"), st.integers(0, 1), st.integers(0, 30), st.just(None))


@given(steps=st.lists(st.one_of(contribution, reversal), min_size=1, max_size=25))
def test_random_contributions_and_reversals_keep_the_ledger_sound(app, finance, steps):
    pools = [FundPool(name=f"pool {n}") for n in range(2)]
    db.session.add_all(pools)
    db.session.flush()
    expected = {pool.id: 0 for pool in pools}
    entries = {pool.id: [] for pool in pools}
    for action, pool_index, number, source in steps:
        pool = pools[pool_index]
        if action == "contribute":
            source = "subsidy" if source == "loan_free" else source
            made = record_contribution(pool.id, ContributionInput(source, "x", number, date(2026, 1, 1)), actor=finance)
            entries[pool.id].append(made.entry)
            expected[pool.id] += number
            continue
        candidates = entries[pool.id] + entries[pools[1 - pool_index].id]
        if not candidates:
            continue
        target = candidates[number % len(candidates)]
        try:
            with db.session.begin_nested():
                reverse_entry(pool.id, target.id, actor=finance, reason="test", value_date=date(2026, 1, 2))
        except DomainError:
            continue  # another pool's entry, a reversal, already reversed: refused, nothing written
        expected[pool.id] -= target.amount_fen
        entries[pool.id].append(db.session.execute(
            select(LedgerEntry).where(LedgerEntry.reverses_id == target.id)).scalar_one())
    for pool in pools:
        balance = figures_for(pool).balance_fen
        summed = db.session.execute(
            select(func.coalesce(func.sum(LedgerEntry.amount_fen), 0)).where(LedgerEntry.pool_id == pool.id)
        ).scalar_one()
        assert balance == summed == expected[pool.id] >= 0
    report = verify_ledger()
    assert report.ok, report.violations
    db.session.rollback()


@pytest.mark.parametrize("table", ["contributions", "collateral_assets", "loan_repayments"])
@pytest.mark.parametrize("verb", ["UPDATE {} SET id = id", "DELETE FROM {}"])
def test_contribution_tables_are_append_only_in_sql(pool, contribute, finance, table, verb):
    loan = contribute(pool, 100_000_00, source="loan", loan=LoanTerms("银行", 385, 12, date(2026, 1, 1), "bullet"),
                      collateral=[CollateralInput("礼堂", "hall", 1)])
    repaid = append_entry(pool.id, EntryKind.LOAN_REPAYMENT, 10_00, actor=finance, value_date=date(2026, 2, 1))
    db.session.add(LoanRepayment(contribution_id=loan.id, ledger_entry_id=repaid.id, principal_fen=10_00,
                                 interest_fen=0, paid_on=date(2026, 2, 1)))
    db.session.commit()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(verb.format(table)))
    db.session.rollback()
    assert db.session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1


def test_verify_ledger_reports_a_forged_reversal(app, pool, contribute, finance):
    entry = contribute(pool, 100_00).entry
    forged = LedgerEntry(pool_id=pool.id, kind="reversal", amount_fen=-30_00, reverses_id=entry.id,
                         value_date=date(2026, 1, 2), actor_id=finance.id, sequence=2, balance_after_fen=70_00,
                         hash="f" * 64)
    db.session.add(forged)
    db.session.commit()
    report = verify_ledger()
    assert not report.ok
    assert any("is not the opposite" in v for v in report.violations)


def test_verify_ledger_command_exit_codes(app, pool, contribute, finance):
    contribute(pool, 100_00)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 0 and "OK: 1 pools, 1 entries" in result.output
    db.session.add(LedgerEntry(pool_id=pool.id, kind="disbursement", amount_fen=-500_00, value_date=date(2026, 1, 3),
                               actor_id=finance.id, sequence=2, balance_after_fen=-400_00, hash="f" * 64))
    db.session.commit()
    result = runner.invoke(args=["verify-ledger"])
    assert result.exit_code == 1 and "negative balance" in result.output


def test_verify_page_shows_ok(app, pool, contribute, make_user):
    from fundtracker.auth.roles import Role

    from ..conftest import login

    contribute(pool, 100_00)
    client = app.test_client()
    login(client, make_user(Role.ADMIN, username="auditor"))
    assert "OK:" in client.get("/pools/verify").get_data(as_text=True)
