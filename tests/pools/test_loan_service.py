"""The loan service (还本付息): finance pays interest and principal through the ledger, never more than
is owed; interest runs from the last payment; verify-ledger checks every repayment."""
from datetime import date, timedelta
from fractions import Fraction
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.loans import loan_positions, overdue_instalment
from fundtracker.pools.models import EntryKind, FundPool, LedgerEntry, LoanRepayment
from fundtracker.pools.services import (
    CollateralInput,
    ContributionInput,
    LoanTerms,
    append_entry,
    record_contribution,
    record_loan_repayment,
    reverse_entry,
)
from fundtracker.pools.verify import verify_ledger

from ..conftest import login

PRINCIPAL = 1_000_000_00  # ¥1,000,000.00
START = date(2024, 2, 1)


@pytest.fixture
def finance(make_user):
    return make_user(Role.FINANCE, username="cashier")


@pytest.fixture
def make_loan(app, finance):
    numbers = count(1)

    def factory(schedule="interest_yearly", rate_bp=385, start=START, term=60, extra_fen=500_000_00):
        pool = FundPool(name=f"loan pool {next(numbers)}", year=2024)
        db.session.add(pool)
        db.session.flush()
        loan = record_contribution(pool.id, ContributionInput(
            "loan", "农业银行", PRINCIPAL, start, loan=LoanTerms("农业银行", rate_bp, term, start, schedule),
            collateral=[CollateralInput("闲置厂房", "factory", 500_000_00)]), actor=finance)
        record_contribution(pool.id, ContributionInput("subsidy", "县财政局", extra_fen, start), actor=finance)
        db.session.commit()
        return loan

    return factory


def position(loan, as_of):
    return loan_positions([loan], as_of)[0]


def test_interest_and_principal_paid_reduce_what_the_pool_owes(make_loan, finance):
    loan = make_loan()
    owed = position(loan, date(2025, 2, 1)).interest_owed_fen
    assert owed == 3_860_548  # 366 days (2024 is a leap year) × ¥1,000,000 × 3.85 % / 365, to the fen
    record_loan_repayment(loan.id, principal_fen=0, interest_fen=owed, paid_on=date(2025, 2, 1), actor=finance)
    record_loan_repayment(loan.id, principal_fen=400_000_00, interest_fen=0, paid_on=date(2025, 2, 1), actor=finance)
    db.session.commit()
    later = position(loan, date(2025, 3, 3))  # 30 days on ¥600,000 from the last payment
    assert later.principal_outstanding_fen == 600_000_00
    assert later.interest_owed_fen == 189_863  # 600,000 × 3.85 % × 30 / 365 = 1,898.63
    pool = db.session.get(FundPool, loan.pool_id)
    assert pool.balance_fen == PRINCIPAL + 500_000_00 - owed - 400_000_00
    kinds = db.session.execute(select(LedgerEntry.kind).order_by(LedgerEntry.id)).scalars().all()
    assert kinds[-2:] == ["loan_repayment", "loan_repayment"]
    assert verify_ledger().ok


@pytest.mark.parametrize("principal, interest, paid_on, message", [
    (PRINCIPAL + 1, 0, date(2025, 2, 1), "of principal is outstanding"),
    (0, 3_860_549, date(2025, 2, 1), "of interest is owed on 2025-02-01"),
    (0, 0, date(2025, 2, 1), "principal or the interest"),
    (-1, 100, date(2025, 2, 1), "cannot be negative"),
    (100, 0, date(2024, 1, 31), "cannot be earlier"),
    (100, 0, date(2099, 1, 1), "in the future"),
])
def test_a_repayment_above_what_is_owed_or_otherwise_wrong_changes_nothing(make_loan, finance, principal, interest,
                                                                          paid_on, message):
    loan = make_loan()
    before = db.session.execute(select(func.count(LedgerEntry.id))).scalar_one()
    with pytest.raises(DomainError, match=message):
        record_loan_repayment(loan.id, principal_fen=principal, interest_fen=interest, paid_on=paid_on, actor=finance)
    db.session.rollback()
    assert db.session.execute(select(func.count(LedgerEntry.id))).scalar_one() == before


def test_repayments_go_in_date_order_and_a_reversed_loan_is_owed_nothing(make_loan, finance):
    loan = make_loan()
    record_loan_repayment(loan.id, principal_fen=100_00, interest_fen=0, paid_on=date(2025, 2, 1), actor=finance)
    with pytest.raises(DomainError, match="in date order"):
        record_loan_repayment(loan.id, principal_fen=100_00, interest_fen=0, paid_on=date(2025, 1, 1), actor=finance)
    other = make_loan(rate_bp=400)
    reverse_entry(other.pool_id, other.ledger_entry_id, actor=finance, reason="录错", value_date=date(2024, 2, 2))
    with pytest.raises(DomainError, match="reversed"):
        record_loan_repayment(other.id, principal_fen=100_00, interest_fen=0, paid_on=date(2025, 2, 1),
                              actor=finance)


def test_an_unpaid_instalment_is_overdue_the_day_after_its_date(make_loan, finance):
    loan = make_loan()
    assert overdue_instalment(loan, [], date(2025, 2, 1)) is None
    assert overdue_instalment(loan, [], date(2025, 2, 2)) == date(2025, 2, 1)
    owed = position(loan, date(2025, 2, 1)).interest_owed_fen
    record_loan_repayment(loan.id, principal_fen=0, interest_fen=owed, paid_on=date(2025, 2, 3), actor=finance)
    db.session.commit()
    assert not position(loan, date(2025, 3, 1)).instalment_overdue  # paid late, but paid up to the instalment
    equal = make_loan(schedule="equal_instalments", term=10)
    assert overdue_instalment(equal, [(date(2024, 3, 1), PRINCIPAL // 10, 10**9)], date(2024, 4, 2)) \
        == date(2024, 4, 1)


def test_verify_ledger_names_a_repayment_beyond_what_was_owed(make_loan, finance):
    loan = make_loan()
    entry = append_entry(loan.pool_id, EntryKind.LOAN_REPAYMENT, 50_000_00, actor=finance, value_date=date(2024, 3, 1))
    db.session.add(LoanRepayment(contribution_id=loan.id, ledger_entry_id=entry.id, principal_fen=0,
                                 interest_fen=50_000_00, paid_on=date(2024, 3, 1)))  # written past the service
    db.session.commit()
    report = verify_ledger()
    assert any("above the" in violation and "accrued by 2024-03-01" in violation for violation in report.violations)


# --- hypothesis: balances never below zero; interest owed equals a hand computation -----------------------

def hand_interest_owed(payments, as_of, rate_bp=385):
    """Simple interest actual/365 on the outstanding principal, settled (rounded half up) at each payment."""
    owed, outstanding, since = 0, PRINCIPAL, START
    for paid_on, principal, interest in payments:
        days = (paid_on - since).days
        exact = Fraction(outstanding * days * rate_bp, 10_000 * 365)
        owed += int(exact + Fraction(1, 2))
        owed -= interest
        outstanding -= principal
        since = paid_on
    exact = Fraction(outstanding * (as_of - since).days * rate_bp, 10_000 * 365)
    return owed + int(exact + Fraction(1, 2)), outstanding


# Up to six payments, each up to 160 days after the one before: the last is dated by START + 960 days
# (2026-09-18) at the latest, in the past whatever day the suite runs: the service refuses future dates.
# With 200-day gaps a plan could reach May 2027; hypothesis drew one (ending 2026-11-28) on 2026-11-24.
MAX_GAP_DAYS, MAX_PAYMENTS = 160, 6
steps = st.lists(st.tuples(st.integers(min_value=0, max_value=MAX_GAP_DAYS), st.integers(min_value=0, max_value=100),
                           st.integers(min_value=0, max_value=100)), min_size=1, max_size=MAX_PAYMENTS)


@given(plan=steps)
def test_balances_never_go_below_zero_and_interest_owed_matches_the_hand_computation(make_loan, finance, plan):
    db.session.rollback()
    loan = make_loan(rate_bp=385)
    payments, day = [], START
    for gap, principal_share, interest_share in plan:
        day += timedelta(days=gap)
        now = position(loan, day)
        principal = now.principal_outstanding_fen * principal_share // 100
        interest = now.interest_owed_fen * interest_share // 100
        if principal + interest == 0:
            continue
        record_loan_repayment(loan.id, principal_fen=principal, interest_fen=interest, paid_on=day, actor=finance)
        payments.append((day, principal, interest))
        assert position(loan, day).principal_outstanding_fen >= 0 and position(loan, day).interest_owed_fen >= 0
    as_of = day + timedelta(days=45)
    owed, outstanding = hand_interest_owed(payments, as_of)
    final = position(loan, as_of)
    assert (final.interest_owed_fen, final.principal_outstanding_fen) == (owed, outstanding)
    assert outstanding >= 0 and db.session.get(FundPool, loan.pool_id).balance_fen >= 0
    assert verify_ledger().ok
    db.session.rollback()


def test_finance_records_a_repayment_through_the_form_once(app, make_loan, finance):
    loan = make_loan()
    client = app.test_client()
    login(client, finance)
    url = f"/pools/loans/{loan.id}/repayments"
    too_much = client.post(url, data={"paid_on": "2025-02-01", "principal": "1,000,000.01", "token": "t1"})
    assert too_much.status_code == 422 and "of principal is outstanding" in too_much.get_data(as_text=True)
    for _ in range(2):  # a double click
        assert client.post(url, data={"paid_on": "2025-02-01", "interest": "38,605.48", "token": "t2"}).status_code \
            == 303
    assert db.session.execute(select(func.count(LoanRepayment.id))).scalar_one() == 1
    assert client.get("/pools/loans/999999/repayments").status_code == 404


def test_principal_already_repaid_cannot_be_repaid_again(make_loan, finance):
    loan = make_loan()
    record_loan_repayment(loan.id, principal_fen=400_000_00, interest_fen=0, paid_on=date(2025, 2, 1), actor=finance)
    with pytest.raises(DomainError, match="Only ¥600,000.00 of principal is outstanding"):
        record_loan_repayment(loan.id, principal_fen=600_000_01, interest_fen=0, paid_on=date(2025, 3, 1),
                              actor=finance)
    record_loan_repayment(loan.id, principal_fen=600_000_00, interest_fen=0, paid_on=date(2025, 3, 1), actor=finance)
    assert position(loan, date(2025, 4, 1)).principal_outstanding_fen == 0
