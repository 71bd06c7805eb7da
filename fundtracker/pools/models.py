"""Fund pools (资金池) and the append-only money ledger."""
from datetime import date, datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class PoolStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


POOL_STATUS_LABELS = {PoolStatus.OPEN: _l("Open"), PoolStatus.CLOSED: _l("Closed")}


class FundPool(db.Model):
    __tablename__ = "fund_pools"
    __table_args__ = (CheckConstraint("status IN ('open', 'closed')", name="known_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    programme: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PoolStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return self.name


class EntryKind(StrEnum):
    CONTRIBUTION = "contribution"  # money in from a source (+)
    DISBURSEMENT = "disbursement"  # a paid tranche (−)
    RECOVERY = "recovery"  # money recovered from a project, exit (+)
    LOAN_REPAYMENT = "loan_repayment"  # principal or interest paid to a lender (−)
    REVERSAL = "reversal"  # the exact opposite of the entry it reverses


ENTRY_KIND_LABELS = {
    EntryKind.CONTRIBUTION: _l("Contribution"),
    EntryKind.DISBURSEMENT: _l("Disbursement"),
    EntryKind.RECOVERY: _l("Recovery"),
    EntryKind.LOAN_REPAYMENT: _l("Loan repayment"),
    EntryKind.REVERSAL: _l("Reversal"),
}

# Sign of amount_fen for each kind; the database enforces it too.
ENTRY_SIGN = {
    EntryKind.CONTRIBUTION: 1,
    EntryKind.DISBURSEMENT: -1,
    EntryKind.RECOVERY: 1,
    EntryKind.LOAN_REPAYMENT: -1,
}


class LedgerEntry(db.Model):
    """One movement of pool money. Append-only: triggers refuse UPDATE and DELETE."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('contribution', 'disbursement', 'recovery', 'loan_repayment', 'reversal')",
            name="known_kind",
        ),
        CheckConstraint(
            "(kind IN ('contribution', 'recovery') AND amount_fen > 0)"
            " OR (kind IN ('disbursement', 'loan_repayment') AND amount_fen < 0)"
            " OR (kind = 'reversal' AND amount_fen <> 0)",
            name="amount_sign_by_kind",
        ),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_has_target"),
        Index("ix_ledger_entries_pool_id_id", "pool_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"))
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    tranche_id: Mapped[int | None]  # the disbursement issue adds the tranche table and its key
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    value_date: Mapped[date]
    memo: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    pool: Mapped[FundPool] = relationship(lazy="joined")
    actor = relationship("User", lazy="joined")
    reverses: Mapped["LedgerEntry | None"] = relationship(remote_side=[id], foreign_keys=[reverses_id])


class UsedFormToken(db.Model):
    """One-time tokens of money forms already processed (see fundtracker/idempotency.py)."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    result_url: Mapped[str] = mapped_column(String(500), default="")
    used_at: Mapped[datetime] = mapped_column(default=utcnow)
