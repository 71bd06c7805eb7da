"""What the pools owe their lenders: principal outstanding and interest accrued to date.

Interest is simple interest on the outstanding principal, actual/365: each day the loan is
out earns principal × rate / 365, and a principal repayment lowers the principal from its
payment date on. The sum is rounded once, half up, to the fen.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..money import round_half_up
from .models import Contribution, LedgerEntry, LoanRepayment, SourceType

DAYS_IN_YEAR = 365
BASIS_POINTS = 10_000


def accrued_interest_fen(principal_fen: int, rate_bp: int, start: date, as_of: date,
                         principal_repayments: list[tuple[date, int]] = ()) -> int:
    """Interest accrued from start to as_of, principal lowered by each (date, amount) repayment."""
    if as_of <= start:
        return 0
    principal_days = 0
    outstanding, cursor = principal_fen, start
    for paid_on, amount_fen in sorted(principal_repayments):
        if paid_on >= as_of:
            break
        if paid_on > cursor:
            principal_days += outstanding * (paid_on - cursor).days
            cursor = paid_on
        outstanding = max(outstanding - amount_fen, 0)
    principal_days += outstanding * (as_of - cursor).days
    return round_half_up(Fraction(principal_days * rate_bp, BASIS_POINTS * DAYS_IN_YEAR))


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


def loans_select(pool_id: int | None = None):
    stmt = (
        select(Contribution)
        .where(Contribution.source_type == SourceType.LOAN)
        .options(selectinload(Contribution.collateral))
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
    principal_paid = [(r.paid_on, r.principal_fen) for r in repayments if r.principal_fen]
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
    )


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
