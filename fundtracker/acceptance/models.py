"""Acceptance (验收) at two levels with rectification (整改), the assets a project created (资产移交,
确权登记) and their disposal (处置), and the exit (资金退出) with its recoveries. Money in integer fen."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db
from ..statemachine import TimelineEventColumns


class AcceptanceStatus(LabelledEnum):
    TOWN_DUE = "town_due", _l("Waiting for the township's check")
    TOWN_FIX = "town_fix", _l("Rectifying after the township's check")
    COUNTY_DUE = "county_due", _l("Waiting for the county's acceptance")
    COUNTY_FIX = "county_fix", _l("Rectifying after the county's acceptance")
    ACCEPTED = "accepted", _l("Accepted by the county")


class CheckLevel(LabelledEnum):
    TOWN = "town", _l("Township check (镇级自验)")
    COUNTY = "county", _l("County acceptance (县级验收)")


class CheckResult(LabelledEnum):
    PASS = "pass", _l("Pass")
    CONDITIONAL = "conditional", _l("Pass with conditions")
    FAIL = "fail", _l("Fail")


class JointDepartment(LabelledEnum):
    AUDIT = "audit", _l("Audit bureau")
    FINANCE = "finance", _l("Finance bureau")
    LAND = "land", _l("Natural resources (land) bureau")


# The documents of a check (kind -> label); each an attachment of the project.
CHECK_DOCUMENTS = {
    "report_attachment_id": _l("Acceptance report (验收报告)"),
    "audit_attachment_id": _l("Price review or audit report (审价或审计报告)"),
    "completion_attachment_id": _l("Completion documents (竣工资料)"),
}


class Acceptance(db.Model):
    """A project's acceptance: one per project, with its own life cycle (the "acceptance" machine)."""

    __tablename__ = "acceptances"
    __table_args__ = (AcceptanceStatus.check_constraint("status", name="known_status"),
                      CheckConstraint("settlement_fen IS NULL OR settlement_fen > 0", name="settlement_positive"),
                      CheckConstraint("(status = 'accepted') = (accepted_on IS NOT NULL)", name="accepted_has_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    status: Mapped[str] = mapped_column(String(10), default=AcceptanceStatus.TOWN_DUE, index=True)
    accepted_on: Mapped[date | None]  # the county pass: the retention clock starts here
    settlement_fen: Mapped[int | None] = mapped_column(BigInteger)  # the audited settlement (审计结算) at the county pass
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"#{self.id}"


class AcceptanceCheck(db.Model):
    """One check at one level: who, when, the result, the findings and the documents. Append-only."""

    __tablename__ = "acceptance_checks"
    __table_args__ = (CheckLevel.check_constraint("level", name="known_level"),
                      CheckResult.check_constraint("result", name="known_result"),
                      CheckConstraint("settlement_fen IS NULL OR settlement_fen > 0", name="settlement_positive"),
                      CheckConstraint("result = 'pass' OR findings <> ''", name="findings_when_not_passed"))

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptances.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))
    checked_on: Mapped[date]
    members: Mapped[str] = mapped_column(Text)  # names and departments, free text (not shown publicly)
    joint_departments: Mapped[list] = mapped_column(JSON, default=list)  # county: audit, finance, land
    result: Mapped[str] = mapped_column(String(12))
    findings: Mapped[str] = mapped_column(Text, default="")
    settlement_fen: Mapped[int | None] = mapped_column(BigInteger)
    report_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    audit_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    completion_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Rectification(db.Model):
    """整改: what a failed or conditional check asks the village to change, by when, and its answer; the
    level that opened it checks again (and so closes it)."""

    __tablename__ = "rectifications"
    __table_args__ = (CheckLevel.check_constraint("level", name="known_level"),
                      CheckConstraint("required_changes <> ''", name="says_what_to_change"),
                      CheckConstraint("(answered_on IS NULL) = (answer = '')", name="answer_has_date"))

    id: Mapped[int] = mapped_column(primary_key=True)
    acceptance_id: Mapped[int] = mapped_column(ForeignKey("acceptances.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    check_id: Mapped[int] = mapped_column(ForeignKey("acceptance_checks.id"), unique=True)
    level: Mapped[str] = mapped_column(String(10))
    required_changes: Mapped[str] = mapped_column(Text)
    rectify_by: Mapped[date]
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None]
    answer_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_by_check_id: Mapped[int | None] = mapped_column(ForeignKey("acceptance_checks.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AcceptanceEvent(TimelineEventColumns, db.Model):
    """The timeline (append-only) of an acceptance, a disposal or an exit (subject): one row per transition."""

    __tablename__ = "acceptance_events"
    __table_args__ = (CheckConstraint("subject IN ('acceptance', 'disposal', 'exit')", name="known_subject"),
                      Index("ix_acceptance_events_subject", "subject", "subject_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)


class AssetClass(LabelledEnum):
    """国办函〔2021〕51号: 经营性 / 公益性 / 到户类."""
    OPERATING = "operating", _l("Income-earning (经营性)")
    PUBLIC = "public", _l("Public-benefit (公益性)")
    HOUSEHOLD = "household", _l("Household (到户类)")


class AssetStatus(LabelledEnum):
    REGISTERED = "registered", _l("Registered")
    DISPOSED = "disposed", _l("Disposed of")


class ProjectAsset(db.Model):
    """An asset the project created, handed over and registered (确权登记)."""

    __tablename__ = "project_assets"
    __table_args__ = (
        AssetClass.check_constraint("asset_class", name="known_class"),
        AssetStatus.check_constraint("status", name="known_status"),
        CheckConstraint("value_fen > 0", name="value_positive"),
        CheckConstraint("(asset_class = 'household') = (household_count IS NOT NULL AND household_count > 0)",
                        name="household_assets_name_households"),
        Index("ix_project_assets_class_id", "asset_class", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)  # for the register's filters
    name: Mapped[str] = mapped_column(String(200))
    asset_class: Mapped[str] = mapped_column(String(10))
    value_fen: Mapped[int] = mapped_column(BigInteger)
    owner: Mapped[str] = mapped_column(String(200))  # the collective, or a description of the households
    household_count: Mapped[int | None]  # 到户类: how many households own it (no personal names)
    upkeep_party: Mapped[str] = mapped_column(String(200))  # 管护责任人: an organisation or a role
    upkeep_duties: Mapped[str] = mapped_column(Text)
    registered_on: Mapped[date]
    certificate_reference: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(10), default=AssetStatus.REGISTERED)
    registered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project", lazy="joined")


class DisposalKind(LabelledEnum):
    SALE = "sale", _l("Sale")
    SCRAP = "scrap", _l("Scrapping")


class DisposalStatus(LabelledEnum):
    PROPOSED = "proposed", _l("Waiting for the county's approval")
    APPROVED = "approved", _l("Approved")
    REJECTED = "rejected", _l("Rejected")


class AssetDisposal(db.Model):
    """处置: a sale or scrapping of an asset, with the members' meeting record; the county approves."""

    __tablename__ = "asset_disposals"
    __table_args__ = (
        DisposalKind.check_constraint("kind", name="known_kind"),
        DisposalStatus.check_constraint("status", name="known_status"),
        CheckConstraint("reason <> '' AND meeting_reference <> ''", name="reason_and_meeting"),
        CheckConstraint("decided_by_id IS NULL OR decided_by_id <> proposed_by_id", name="not_own_case"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("project_assets.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    meeting_on: Mapped[date]
    meeting_reference: Mapped[str] = mapped_column(String(200))
    meeting_attachment_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    status: Mapped[str] = mapped_column(String(10), default=DisposalStatus.PROPOSED, index=True)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    asset: Mapped[ProjectAsset] = relationship(lazy="joined")
    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"#{self.id}"


class ExitReason(LabelledEnum):
    WARNING = "warning", _l("Escalated warning")
    STOPPED = "stopped", _l("The project stopped")
    MISUSE = "misuse", _l("Misuse of funds")


class ExitStatus(LabelledEnum):
    OPEN = "open", _l("Recovering")
    SETTLED = "settled", _l("Settled")
    WRITTEN_OFF = "writeoff", _l("Written off")


class ProjectExit(db.Model):
    """资金退出: why the county stopped the project, what was released and how its recovery ended."""

    __tablename__ = "project_exits"
    __table_args__ = (
        ExitReason.check_constraint("reason_kind", name="known_reason"),
        ExitStatus.check_constraint("status", name="known_status"),
        CheckConstraint("reason <> ''", name="has_reason"),
        CheckConstraint("released_fen >= 0 AND written_off_fen >= 0", name="amounts_not_negative"),
        CheckConstraint("status <> 'writeoff' OR write_off_reason <> ''", name="write_off_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), unique=True)
    reason_kind: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text)
    from_status: Mapped[str] = mapped_column(String(20))
    released_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # the commitment given back to the pool
    status: Mapped[str] = mapped_column(String(10), default=ExitStatus.OPEN, index=True)
    written_off_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    write_off_reason: Mapped[str] = mapped_column(Text, default="")
    triggered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who wrote off
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"#{self.id}"


class RecoveryKind(LabelledEnum):
    ASSET_SALE = "asset_sale", _l("Asset sale")
    REPAYMENT = "repayment", _l("Repayment")
    INSURANCE = "insurance", _l("Insurance payout")
    MISUSED = "misused", _l("Recovery of misused money (收回)")


class Recovery(db.Model):
    """What a recovery ledger entry is: its kind, where it came from, its reference. Append-only."""

    __tablename__ = "recoveries"
    __table_args__ = (RecoveryKind.check_constraint("kind", name="known_kind"),
                      CheckConstraint("amount_fen > 0", name="amount_positive"),
                      CheckConstraint("kind = 'asset_sale' OR disposal_id IS NULL", name="disposal_is_a_sale"))

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    pool_id: Mapped[int] = mapped_column(ForeignKey("fund_pools.id"))
    ledger_entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    received_on: Mapped[date]
    reference: Mapped[str] = mapped_column(String(100), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    disposal_id: Mapped[int | None] = mapped_column(ForeignKey("asset_disposals.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def timeline_entry(subject: str):
    """The record_event of the acceptance, disposal and exit machines: a row of acceptance_events."""
    def record(obj, action, from_status, to_status, comment, actor) -> AcceptanceEvent:
        return AcceptanceEvent(subject=subject, subject_id=obj.id, project_id=obj.project_id, action=str(action),
                               from_status=from_status, to_status=to_status, comment=comment, actor_id=actor.id)

    return record
