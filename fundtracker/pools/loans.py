"""What the pools owe their lenders: principal outstanding and interest owed to date.

Interest is simple interest on the outstanding principal, actual/365. It is settled at every
payment date: the interest of the days since the previous payment (or the loan's start) is
rounded half up to the fen and added to what is owed; the payment's interest part is taken off
it and its principal part lowers the principal from that date on. Once payments exist, interest
therefore accrues from the last payment date on what is then outstanding.

The repayment schedule gives the instalment dates: interest every 12 or 3 months from the start
with the principal at maturity, equal monthly principal instalments with their interest, or
everything at maturity. An instalment is overdue the day after its date while what it asked for
is not paid.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..clock import add_months
from ..extensions import db
from ..money import round_half_up
from .models import Contribution, LedgerEntry, LoanRepayment, RepaymentSchedule, SourceType

DAYS_IN_YEAR = 365
BASIS_POINTS = 10_000
INTEREST_PERIOD_MONTHS = {
    RepaymentSchedule.INTEREST_YEARLY_PRINCIPAL_AT_MATURITY: 12,
    RepaymentSchedule.INTEREST_QUARTERLY_PRINCIPAL_AT_MATURITY: 3,
    RepaymentSchedule.EQUAL_INSTALMENTS: 1,
}


def _interest_of_days(principal_fen: int, rate_bp: int, days: int) -> int:
    return round_half_up(Fraction(principal_fen * days * rate_bp, BASIS_POINTS * DAYS_IN_YEAR))


def accrued_interest_fen(principal_fen: int, rate_bp: int, start: date, as_of: date,
                         principal_repayments: list[tuple[date, int]] = ()) -> int:
    """Interest accrued from start to as_of, settled at each (date, principal paid) payment: the
    days up to a payment are rounded to the fen then, and the principal it repaid stops earning."""
    total, outstanding, cursor = 0, principal_fen, start
    for paid_on, amount_fen in sorted(principal_repayments):
        if paid_on >= as_of:
            break
        if paid_on > cursor:
            total += _interest_of_days(outstanding, rate_bp, (paid_on - cursor).days)
            cursor = paid_on
        outstanding = max(outstanding - amount_fen, 0)
    if as_of > cursor:
        total += _interest_of_days(outstanding, rate_bp, (as_of - cursor).days)
    return total


def instalment_dates(schedule: str, start: date, term_months: int, as_of: date) -> list[date]:
    """The instalment dates of a loan up to and including as_of (the maturity is always one)."""
    maturity = add_months(start, term_months)
    step = INTEREST_PERIOD_MONTHS.get(schedule)
    dates = [add_months(start, months) for months in range(step, term_months, step)] if step else []
    return [day for day in (*dates, maturity) if day <= as_of]


def principal_due_by(loan: Contribution, instalment: date) -> int:
    """Principal the schedule asks to have been repaid by an instalment date."""
    maturity = loan.loan_matures_on
    if instalment >= maturity:
        return loan.amount_fen
    if loan.repayment_schedule != RepaymentSchedule.EQUAL_INSTALMENTS:
        return 0
    months = (instalment.year - loan.loan_start_on.year) * 12 + instalment.month - loan.loan_start_on.month
    return loan.amount_fen * months // loan.term_months


def overdue_instalment(loan: Contribution, payments: list[tuple[date, int, int]], as_of: date) -> date | None:
    """The last instalment date before as_of whose interest or principal is not fully paid (or None).

    payments: (paid_on, principal_fen, interest_fen) of the loan."""
    passed = [day for day in instalment_dates(loan.repayment_schedule, loan.loan_start_on, loan.term_months, as_of)
              if day < as_of]
    if not passed:
        return None
    last = passed[-1]
    principal_paid = [(paid_on, principal) for paid_on, principal, _ in payments]
    interest_due = accrued_interest_fen(loan.amount_fen, loan.annual_rate_bp, loan.loan_start_on, last,
                                        principal_paid)
    interest_paid = sum(interest for _, _, interest in payments)
    repaid = sum(principal for _, principal, _ in payments)
    if interest_paid < interest_due or repaid < principal_due_by(loan, last):
        return last
    return None


@dataclass(frozen=True)
class LoanPosition:
    contribution: Contribution
    principal_fen: int
    principal_repaid_fen: int
    interest_accrued_fen: int
    interest_paid_fen: int
    maturity_on: date
    days_to_maturity: int
    reversed: bool
    overdue_since: date | None = None  # the unpaid instalment's date
    last_paid_on: date | None = None

    @property
    def principal_outstanding_fen(self) -> int:
        return 0 if self.reversed else self.principal_fen - self.principal_repaid_fen

    @property
    def interest_owed_fen(self) -> int:
        return 0 if self.reversed else self.interest_accrued_fen - self.interest_paid_fen

    @property
    def matures_soon(self) -> bool:
        warning_days = current_app.config["LOAN_MATURITY_WARNING_DAYS"]
        return not self.reversed and self.principal_outstanding_fen > 0 and self.days_to_maturity <= warning_days

    @property
    def overdue(self) -> bool:
        return self.matures_soon and self.days_to_maturity < 0

    @property
    def instalment_overdue(self) -> bool:
        return not self.reversed and self.overdue_since is not None


def loans_select(pool_id: int | None = None):
    """Loans with their entry, pool and collateral; not the entry's actor, whom no list of loans shows (the
    joined actor brought their village, township and, in a second statement, their roles)."""
    stmt = (
        select(Contribution)
        .where(Contribution.source_type == SourceType.LOAN)
        .options(selectinload(Contribution.collateral), joinedload(Contribution.entry).lazyload(LedgerEntry.actor))
        .order_by(Contribution.loan_start_on, Contribution.id)
    )
    return stmt.where(Contribution.pool_id == pool_id) if pool_id is not None else stmt


def loan_positions(loans: list[Contribution], as_of: date) -> list[LoanPosition]:
    """Positions of a page of loans in two queries, whatever the number of loans."""
    ids = [loan.id for loan in loans]
    repayments: dict[int, list[LoanRepayment]] = {loan_id: [] for loan_id in ids}
    for repayment in db.session.execute(select(LoanRepayment).where(LoanRepayment.contribution_id.in_(ids))).scalars():
        repayments[repayment.contribution_id].append(repayment)
    entry_ids = [loan.ledger_entry_id for loan in loans]
    reversed_ids = set(db.session.execute(
        select(LedgerEntry.reverses_id).where(LedgerEntry.reverses_id.in_(entry_ids))
    ).scalars()) if entry_ids else set()
    return [_position(loan, repayments[loan.id], loan.ledger_entry_id in reversed_ids, as_of) for loan in loans]


def _position(loan: Contribution, repayments: list[LoanRepayment], reversed_: bool, as_of: date) -> LoanPosition:
    principal_paid = [(r.paid_on, r.principal_fen) for r in repayments]
    payments = [(r.paid_on, r.principal_fen, r.interest_fen) for r in repayments]
    maturity = loan.loan_matures_on
    return LoanPosition(
        contribution=loan,
        principal_fen=loan.amount_fen,
        principal_repaid_fen=sum(amount for _, amount in principal_paid),
        interest_accrued_fen=accrued_interest_fen(loan.amount_fen, loan.annual_rate_bp, loan.loan_start_on, as_of,
                                                  principal_paid),
        interest_paid_fen=sum(r.interest_fen for r in repayments),
        maturity_on=maturity,
        days_to_maturity=(maturity - as_of).days,
        reversed=reversed_,
        overdue_since=overdue_instalment(loan, payments, as_of),
        last_paid_on=max((r.paid_on for r in repayments), default=None),
    )


def pools_with_overdue_instalments(pool_ids, as_of: date) -> dict[int, list[LoanPosition]]:
    """The loans with an overdue instalment of each of these pools (three queries, whatever their number)."""
    pool_ids = sorted(set(pool_ids))
    if not pool_ids:
        return {}
    loans = db.session.execute(
        select(Contribution).where(Contribution.source_type == SourceType.LOAN, Contribution.pool_id.in_(pool_ids))
        # The positions need the loan's own columns only: not its ledger row (with pool and actor) nor its collateral,
        # which would triple the time of the warning board and the dashboard for a county with thousands of loans.
        .options(lazyload(Contribution.entry), lazyload(Contribution.collateral))
        .order_by(Contribution.id)).scalars().all()
    overdue: dict[int, list[LoanPosition]] = {}
    for position in loan_positions(loans, as_of):
        if position.instalment_overdue:
            overdue.setdefault(position.contribution.pool_id, []).append(position)
    return overdue


def loans_maturing_count(as_of: date) -> int:
    """Loans not reversed, with principal still owed, maturing within the warning window (or overdue)."""
    horizon = as_of + timedelta(days=current_app.config["LOAN_MATURITY_WARNING_DAYS"])
    repaid = (
        select(func.coalesce(func.sum(LoanRepayment.principal_fen), 0))
        .where(LoanRepayment.contribution_id == Contribution.id)
        .scalar_subquery()
    )
    reversed_ = select(LedgerEntry.id).where(LedgerEntry.reverses_id == Contribution.ledger_entry_id).exists()
    return db.session.execute(
        select(func.count(Contribution.id)).where(
            Contribution.source_type == SourceType.LOAN, Contribution.loan_matures_on <= horizon,
            ~reversed_, Contribution.amount_fen > repaid,
        )
    ).scalar_one()
