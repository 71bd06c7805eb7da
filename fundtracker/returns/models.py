"""Returns (收益) per project and period, their distribution plans (收益分配方案) with the members'
meeting, the notice (公示) and its objections, and each pool's share rules. Money in integer fen."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db
from ..statemachine import TimelineEventColumns


class PeriodKind(LabelledEnum):
    MONTH = "month", _l("Month")
    QUARTER = "quarter", _l("Quarter")
    YEAR = "year", _l("Year")


PERIOD_MONTHS = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


class ReturnRecord(db.Model):
    """What a project earned in a period. Append-only: a correction is a new version of the same period
    that supersedes the one in force, with a reason; both are kept."""

    __tablename__ = "return_records"
    __table_args__ = (
        PeriodKind.check_constraint("period_kind", name="known_period_kind"),
        CheckConstraint("revenue_fen >= 0 AND cost_fen >= 0", name="not_negative"),
        CheckConstraint("net_fen = revenue_fen - cost_fen", name="net_is_revenue_less_cost"),
        CheckConstraint("period_end > period_start", name="period_in_order"),
        CheckConstraint("(version = 1) = (supersedes_id IS NULL)", name="version_one_is_original"),
        CheckConstraint("supersedes_id IS NULL OR reason <> ''", name="correction_has_reason"),
        UniqueConstraint("project_id", "period_kind", "period_start", "version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    period_kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]
    period_end: Mapped[date]  # the first day after the period
    version: Mapped[int] = mapped_column(default=1)
    revenue_fen: Mapped[int] = mapped_column(BigInteger)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    note: Mapped[str] = mapped_column(String(1000), default="")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("return_records.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanStatus(LabelledEnum):
    DRAFTED = "drafted", _l("Drafted")
    ADOPTED = "adopted", _l("Adopted by the meeting")
    PUBLISHED = "published", _l("Published for notice")
    PAID = "paid", _l("Paid out")
    WITHDRAWN = "withdrawn", _l("Withdrawn")


PLAN_STATUS_LABELS = PlanStatus.labels()

# The parts of a distribution: column -> label. They add up to the period's net income to the fen.
PLAN_PARTS = {
    "collective_fen": _l("Collective accumulation and welfare fund (公积公益金)"),
    "dividends_fen": _l("Member dividends (成员分红)"),
    "reinvestment_fen": _l("Reinvestment"),
    "risk_reserve_fen": _l("Risk reserve"),
    "loan_service_fen": _l("Loan service (还本付息)"),
}


class DistributionPlan(db.Model):
    __tablename__ = "distribution_plans"
    __table_args__ = (
        PlanStatus.check_constraint("status", name="known_status"),
        CheckConstraint("collective_fen >= 0 AND dividends_fen >= 0 AND reinvestment_fen >= 0"
                        " AND risk_reserve_fen >= 0 AND loan_service_fen >= 0", name="parts_not_negative"),
        CheckConstraint("collective_fen + dividends_fen + reinvestment_fen + risk_reserve_fen + loan_service_fen"
                        " = net_fen", name="parts_add_up"),
        CheckConstraint("net_fen > 0", name="distributes_a_profit"),
        CheckConstraint("dividends_fen = 0 OR households > 0", name="dividends_name_households"),
        CheckConstraint("attendance_present IS NULL OR attendance_present <= attendance_expected",
                        name="present_within_expected"),
        CheckConstraint("votes_for IS NULL OR votes_for + votes_against + votes_abstain <= attendance_present",
                        name="votes_within_present"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    return_record_id: Mapped[int] = mapped_column(ForeignKey("return_records.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=PlanStatus.DRAFTED, index=True)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    collective_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    dividends_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    households: Mapped[int] = mapped_column(default=0)
    reinvestment_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    risk_reserve_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    loan_service_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    meeting_on: Mapped[date | None]
    attendance_expected: Mapped[int | None]  # 应到
    attendance_present: Mapped[int | None]  # 实到
    votes_for: Mapped[int | None]
    votes_against: Mapped[int | None]
    votes_abstain: Mapped[int | None]
    notice_starts_on: Mapped[date | None]
    notice_ends_on: Mapped[date | None]  # the last day of the notice
    paid_on: Mapped[date | None]
    payment_reference: Mapped[str] = mapped_column(String(100), default="")
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    record: Mapped[ReturnRecord] = relationship(lazy="joined")
    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"#{self.id}"


class DistributionEvent(TimelineEventColumns, db.Model):
    """The plan's timeline (append-only), one row per transition."""

    __tablename__ = "distribution_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("distribution_plans.id"), index=True)


class Objection(db.Model):
    """An objection (异议) raised during the notice, with its answer. Append-only."""

    __tablename__ = "distribution_objections"
    __table_args__ = (CheckConstraint("objection <> '' AND answer <> ''", name="objection_and_answer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("distribution_plans.id"), index=True)
    raised_on: Mapped[date]
    objection: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DistributionRule(db.Model):
    """A pool's share rules for the distributions of the projects it finances (basis points of the net)."""

    __tablename__ = "distribution_rules"
    __table_args__ = (
        CheckConstraint("min_collective_bp BETWEEN 0 AND 10000 AND min_risk_reserve_bp BETWEEN 0 AND 10000"
                        " AND max_dividend_bp BETWEEN 0 AND 10000", name="shares_in_range"),
        CheckConstraint("min_collective_bp + min_risk_reserve_bp <= 10000", name="minimums_fit"),
    )

    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"), primary_key=True)
    min_collective_bp: Mapped[int] = mapped_column(default=3000)
    min_risk_reserve_bp: Mapped[int] = mapped_column(default=0)
    max_dividend_bp: Mapped[int] = mapped_column(default=10000)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
