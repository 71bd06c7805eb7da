"""Fund pools (资金池) and the append-only money ledger."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..chain import SEED
from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db


class PoolStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")


POOL_STATUS_LABELS = PoolStatus.labels()


class FundPool(db.Model):
    __tablename__ = "fund_pools"
    __table_args__ = (
        PoolStatus.check_constraint("status", name="known_status"),
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint("committed_fen >= 0", name="committed_not_negative"),
        CheckConstraint("balance_fen >= committed_fen", name="available_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    programme: Mapped[str] = mapped_column(String(200), default="")
    year: Mapped[int | None]
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default=PoolStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Stored figures, updated with every entry and commitment under the pool's row lock and
    # recomputed from the rows by verify-ledger: the pages read these, never a sum over the ledger.
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    committed_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # outstanding commitments
    paid_out_fen: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")  # net payments to projects
    last_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    entry_chain_hash: Mapped[str] = mapped_column(String(64), default=SEED, server_default=SEED)
    last_commitment_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    commitment_chain_hash: Mapped[str] = mapped_column(String(64), default=SEED, server_default=SEED)

    def __str__(self) -> str:
        return self.name

    @property
    def available_fen(self) -> int:
        return self.balance_fen - self.committed_fen


class EntryKind(LabelledEnum):
    CONTRIBUTION = "contribution", _l("Contribution")  # money in from a source (+)
    DISBURSEMENT = "disbursement", _l("Disbursement")  # a paid tranche (−)
    RECOVERY = "recovery", _l("Recovery")  # money recovered from a project, exit (+)
    LOAN_REPAYMENT = "loan_repayment", _l("Loan repayment")  # principal or interest paid to a lender (−)
    REVERSAL = "reversal", _l("Reversal")  # the exact opposite of the entry it reverses


ENTRY_KIND_LABELS = EntryKind.labels()

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
        EntryKind.check_constraint("kind", name="known_kind"),
        CheckConstraint(
            "(kind IN ('contribution', 'recovery') AND amount_fen > 0)"
            " OR (kind IN ('disbursement', 'loan_repayment') AND amount_fen < 0)"
            " OR (kind = 'reversal' AND amount_fen <> 0)",
            name="amount_sign_by_kind",
        ),
        CheckConstraint("(kind = 'reversal') = (reverses_id IS NOT NULL)", name="reversal_has_target"),
        Index("ix_ledger_entries_pool_id_id", "pool_id", "id"),
        Index("uq_ledger_entries_pool_sequence", "pool_id", "sequence", unique=True),
        Index("ix_ledger_entries_pool_value_date", "pool_id", "value_date"),
        # covering: the statement's jump to a date and its date filter read the index alone
        Index("ix_ledger_entries_pool_value_date_sequence", "pool_id", "value_date", "sequence"),
        Index("ix_ledger_entries_tranche_id", "tranche_id"),
        # The few rows that name a project (payments, their reversals, recoveries): the per-project and
        # per-month payment figures walk this instead of the whole ledger.
        Index("ix_ledger_entries_project_rows", "project_id", "value_date",
              sqlite_where=text("project_id IS NOT NULL"), postgresql_where=text("project_id IS NOT NULL")),
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
    sequence: Mapped[int]  # 1, 2, 3… per pool, without gaps
    balance_after_fen: Mapped[int] = mapped_column(BigInteger)  # the pool's balance after this entry
    hash: Mapped[str] = mapped_column(String(64))  # SHA-256 over the previous entry's hash and this one

    pool: Mapped[FundPool] = relationship(lazy="joined")
    actor = relationship("User", lazy="joined")
    reverses: Mapped["LedgerEntry | None"] = relationship(remote_side=[id], foreign_keys=[reverses_id])


class CommitmentKind(LabelledEnum):
    COMMITMENT = "commitment"  # approval sets money aside for a project (+)
    RELEASE = "release"  # money given back to the pool's available money (−): exit, closing, a reduced amount


class Commitment(db.Model):
    """Pool money set aside for a project (an encumbrance), or released again. Append-only.

    A project's outstanding commitment is its commitments minus what was paid to it; a pool's
    available money is its balance minus the outstanding commitments of its projects.
    """

    __tablename__ = "pool_commitments"
    __table_args__ = (
        CommitmentKind.check_constraint("kind", name="known_kind"),
        CheckConstraint("(kind = 'commitment' AND amount_fen > 0) OR (kind = 'release' AND amount_fen < 0)",
                        name="amount_sign_by_kind"),
        CheckConstraint("kind = 'commitment' OR reason <> ''", name="release_has_reason"),
        Index("ix_pool_commitments_pool_id_id", "pool_id", "id"),
        Index("uq_pool_commitments_pool_sequence", "pool_id", "sequence", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"))
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(500), default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sequence: Mapped[int]  # 1, 2, 3… per pool, without gaps (a chain of its own)
    hash: Mapped[str] = mapped_column(String(64))


class SourceType(LabelledEnum):
    SUBSIDY = "subsidy", _l("Fiscal subsidy")  # 财政补助
    LOAN = "loan", _l("Bank loan")  # 金融贷款
    SELF_RAISED = "self_raised", _l("Collective self-raised")  # 集体自筹
    DONATION = "donation", _l("Social donation")  # 社会捐资
    OTHER = "other", _l("Other source")


SOURCE_TYPE_LABELS = SourceType.labels()


class RepaymentSchedule(LabelledEnum):
    INTEREST_YEARLY_PRINCIPAL_AT_MATURITY = "interest_yearly", _l("Interest yearly, principal at maturity")
    INTEREST_QUARTERLY_PRINCIPAL_AT_MATURITY = "interest_quarterly", _l("Interest quarterly, principal at maturity")
    EQUAL_INSTALMENTS = "equal_instalments", _l("Equal instalments")
    BULLET = "bullet", _l("Principal and interest at maturity")


REPAYMENT_SCHEDULE_LABELS = RepaymentSchedule.labels()


class PoolSourceTotal(db.Model):
    """Net money received into a pool from one kind of source (contributions less their reversals),
    kept with every contribution and reversal under the pool's lock; verify-ledger recomputes it."""

    __tablename__ = "pool_source_totals"

    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"), primary_key=True)
    source_type: Mapped[str] = mapped_column(String(20), primary_key=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger, default=0)


class PoolDayTotal(db.Model):
    """Money into and out of a pool per value date and kind of entry, kept with every entry under the
    pool's lock; a dated statement's opening and closing balances and its period's totals add up a row
    per day instead of every entry. verify-ledger recomputes it."""

    __tablename__ = "pool_day_totals"

    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"), primary_key=True)
    value_date: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    received_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # the entries above zero
    paid_out_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # the entries below zero (negative)
    # the lowest sequence among them: a statement from a date starts its walk there (exact, whatever the
    # order in which back-dated entries were posted)
    first_sequence: Mapped[int]


class Contribution(db.Model):
    """What a contribution entry is: the source, the contributor and, for a bank loan, its terms.

    Append-only like the ledger row it describes; a mistake is corrected by reversing the entry.
    """

    __tablename__ = "contributions"
    __table_args__ = (
        SourceType.check_constraint("source_type", name="known_source_type"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint(
            "(source_type = 'loan') = (lender IS NOT NULL AND annual_rate_bp IS NOT NULL"
            " AND term_months IS NOT NULL AND loan_start_on IS NOT NULL AND loan_matures_on IS NOT NULL"
            " AND repayment_schedule IS NOT NULL)",
            name="loan_terms_iff_loan",
        ),
        CheckConstraint("annual_rate_bp IS NULL OR annual_rate_bp BETWEEN 0 AND 3600", name="rate_range"),
        CheckConstraint("term_months IS NULL OR term_months BETWEEN 1 AND 600", name="term_range"),
        RepaymentSchedule.check_constraint("repayment_schedule", name="known_schedule", nullable=True),
        Index("ix_contributions_source_type_loan_start_on_id", "source_type", "loan_start_on", "id"),  # loans owed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"), index=True)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    source_type: Mapped[str] = mapped_column(String(20))
    contributor: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date]
    reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    lender: Mapped[str | None] = mapped_column(String(200))
    annual_rate_bp: Mapped[int | None]  # 385 = 3.85% a year
    term_months: Mapped[int | None]
    loan_start_on: Mapped[date | None]
    loan_matures_on: Mapped[date | None] = mapped_column(index=True)  # start + term, kept for the due-soon queries
    repayment_schedule: Mapped[str | None] = mapped_column(String(30))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry: Mapped[LedgerEntry] = relationship(lazy="joined")
    collateral: Mapped[list["CollateralAsset"]] = relationship(order_by="CollateralAsset.id", lazy="selectin")

    @property
    def is_loan(self) -> bool:
        return self.source_type == SourceType.LOAN


class CollateralAsset(db.Model):
    """A collective asset pledged for a bank loan (e.g. an idle office building)."""

    __tablename__ = "collateral_assets"
    __table_args__ = (CheckConstraint("estimated_value_fen >= 0", name="value_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    estimated_value_fen: Mapped[int] = mapped_column(BigInteger)


class AssetKind(LabelledEnum):
    OFFICE_BUILDING = "office_building", _l("Idle office building")
    HALL = "hall", _l("Hall")
    FACTORY = "factory", _l("Factory building")
    SCHOOL = "school", _l("Former school")
    LAND = "land", _l("Land use right")
    OTHER = "other", _l("Other asset")


ASSET_KIND_LABELS = AssetKind.labels()


class LoanRepayment(db.Model):
    """A repayment to a lender: the loan_repayment ledger entry split into principal and interest.

    The returns issue records them; the loans-owed figures already read this table.
    """

    __tablename__ = "loan_repayments"
    __table_args__ = (
        CheckConstraint("principal_fen >= 0 AND interest_fen >= 0", name="parts_not_negative"),
        CheckConstraint("principal_fen + interest_fen > 0", name="something_repaid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(ForeignKey("contributions.id"), index=True)
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    principal_fen: Mapped[int] = mapped_column(BigInteger)
    interest_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date]
