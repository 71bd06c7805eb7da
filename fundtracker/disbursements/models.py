"""Staged disbursements (分批拨付): a tranche plan per approved project, progress reports by the
village, and payment requests that two finance users prepare and approve."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db


class Tranche(db.Model):
    """One milestone of a project's plan: what it pays (its own share, in fen), when, and what a
    payment request for it needs. The plan's history is kept in TranchePlanVersion."""

    __tablename__ = "tranches"
    __table_args__ = (
        UniqueConstraint("project_id", "position"),
        CheckConstraint("amount_fen >= 0", name="amount_not_negative"),
        CheckConstraint("NOT is_retention OR release_after_months >= 0", name="retention_has_delay"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    position: Mapped[int]
    description: Mapped[str] = mapped_column(String(200))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    planned_on: Mapped[date | None]
    required_documents: Mapped[list] = mapped_column(JSON, default=list)
    needs_acceptance: Mapped[bool] = mapped_column(Boolean, default=False)  # paid after the county's acceptance
    is_retention: Mapped[bool] = mapped_column(Boolean, default=False)  # 质保金, released after a delay
    release_after_months: Mapped[int | None]
    acceptance_confirmed_on: Mapped[date | None]  # recorded by an approver until the acceptance domain exists
    acceptance_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TranchePlanVersion(db.Model):
    """Every saved plan, as it was: who changed it, when, why (a reason once money was paid). Append-only."""

    __tablename__ = "tranche_plan_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[int]
    snapshot: Mapped[list] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined")


class ReportStatus(LabelledEnum):
    SUBMITTED = "submitted", _l("Waiting for the township")
    CONFIRMED = "confirmed", _l("Confirmed by the township")
    RETURNED = "returned", _l("Returned to the village")


class ProgressReport(db.Model):
    """进度报告: the village's evidence that a milestone is reached; the township confirms or returns it."""

    __tablename__ = "progress_reports"
    __table_args__ = (
        ReportStatus.check_constraint("status", name="known_status"),
        CheckConstraint("progress_percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranches.id"), index=True)
    progress_percent: Mapped[int]
    narrative: Mapped[str] = mapped_column(Text)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)  # photos and documents (project attachments)
    status: Mapped[str] = mapped_column(String(10), default=ReportStatus.SUBMITTED)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tranche: Mapped[Tranche] = relationship(lazy="joined")
    submitted_by = relationship("User", foreign_keys=[submitted_by_id], lazy="joined")


class PaymentStatus(LabelledEnum):
    PREPARED = "prepared", _l("Waiting for approval")
    APPROVED = "approved", _l("Approved, money paid out of the pool")
    PAID = "paid", _l("Paid (voucher recorded)")
    RETURNED = "returned", _l("Returned for changes")
    DECLINED = "declined", _l("Declined")
    REVERSED = "reversed", _l("Reversed")


class Disbursement(db.Model):
    """A payment request (拨付申请) for one tranche: prepared by one finance user, approved by another;
    the approval writes the ledger entry that moves the money."""

    __tablename__ = "disbursements"
    __table_args__ = (
        PaymentStatus.check_constraint("status", name="known_status"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("approved_by_id IS NULL OR approved_by_id <> prepared_by_id", name="four_eyes"),
        Index("ix_disbursements_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    tranche_id: Mapped[int] = mapped_column(ForeignKey("tranches.id"), index=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"))
    progress_report_id: Mapped[int | None] = mapped_column(ForeignKey("progress_reports.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_account: Mapped[str] = mapped_column(String(64))
    payee_bank: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(50))
    purpose_detail: Mapped[str] = mapped_column(String(500), default="")
    documents: Mapped[dict] = mapped_column(JSON, default=dict)  # required document name -> attachment id
    status: Mapped[str] = mapped_column(String(10), default=PaymentStatus.PREPARED)
    prepared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ledger_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    paid_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    tranche: Mapped[Tranche] = relationship(lazy="joined")
    prepared_by = relationship("User", foreign_keys=[prepared_by_id], lazy="joined")
    approved_by = relationship("User", foreign_keys=[approved_by_id])


class DisbursementEvent(db.Model):
    """The timeline of a payment request or a progress report (subject): actor, time, comment. Append-only."""

    __tablename__ = "disbursement_events"
    __table_args__ = (CheckConstraint("subject IN ('payment', 'report')", name="known_subject"),
                      Index("ix_disbursement_events_subject", "subject", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined")
