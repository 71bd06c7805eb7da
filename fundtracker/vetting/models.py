"""County vetting (县级联审): criteria sets, the "4+X" panel, declarations, score sheets, site visits."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db


class CriteriaSet(db.Model):
    """Named, weighted criteria with the panel's rules. A set once used is frozen: editing it
    creates the next version; a project keeps the version it was vetted with."""

    __tablename__ = "criteria_sets"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        CheckConstraint("pass_mark BETWEEN 0 AND 100", name="pass_mark_range"),
        CheckConstraint("trim_from_sheets >= 3", name="trim_from_three"),
        CheckConstraint("spread_threshold BETWEEN 0 AND 100", name="spread_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(default=1)
    pass_mark: Mapped[int] = mapped_column(default=60)
    trim_from_sheets: Mapped[int] = mapped_column(default=5)  # drop the highest and lowest from this many sheets
    spread_threshold: Mapped[int] = mapped_column(default=20)  # points between sheets that raise a flag
    active: Mapped[bool] = mapped_column(default=False)  # the set new panels use
    superseded: Mapped[bool] = mapped_column(default=False)  # a newer version exists
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    criteria: Mapped[list["Criterion"]] = relationship(order_by="Criterion.position", lazy="selectin",
                                                       cascade="all, delete-orphan")

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class Criterion(db.Model):
    __tablename__ = "criteria"
    __table_args__ = (CheckConstraint("weight BETWEEN 1 AND 100", name="weight_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]


class RiskGrade(LabelledEnum):
    LOW = "low", _l("Low")
    MEDIUM = "medium", _l("Medium")
    HIGH = "high", _l("High")


RISK_GRADE_LABELS = RiskGrade.labels()


class ProjectVetting(db.Model):
    """A project's vetting: the criteria version it uses and the panel's final risk grade."""

    __tablename__ = "project_vettings"
    __table_args__ = (RiskGrade.check_constraint("final_risk_grade", name="known_grade", nullable=True),)

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))
    final_risk_grade: Mapped[str | None] = mapped_column(String(10))
    risk_grade_reason: Mapped[str] = mapped_column(Text, default="")

    criteria_set: Mapped[CriteriaSet] = relationship(lazy="joined")


class RoundStatus(LabelledEnum):
    OPEN = "open", _l("Open")
    APPROVED = "approved", _l("Decided: approved")
    REJECTED = "rejected", _l("Decided: rejected")
    RETURNED = "returned", _l("Closed: returned for revision")


ROUND_STATUS_LABELS = RoundStatus.labels()


class PanelRound(db.Model):
    """One review of one version of the application. Returning a project closes its round; when the
    resubmitted version comes back to the county a new round opens, with the same members, who
    declare and score again. Only the open round counts for the decision; closed rounds are history."""

    __tablename__ = "panel_rounds"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        RoundStatus.check_constraint("status", name="known_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[int]
    version_number: Mapped[int | None]  # the submitted version of the application this round vets
    status: Mapped[str] = mapped_column(String(10), default=RoundStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    @property
    def is_open(self) -> bool:
        return self.status == RoundStatus.OPEN


class Declaration(LabelledEnum):
    PENDING = "pending", _l("Declaration pending")
    NO_CONFLICT = "no_conflict", _l("No conflict of interest")
    RECUSED = "recused", _l("Recused")


DECLARATION_LABELS = Declaration.labels()


class PanelMember(db.Model):
    __tablename__ = "panel_members"
    __table_args__ = (
        UniqueConstraint("round_id", "reviewer_id"),
        Declaration.check_constraint("declaration", name="known_declaration"),
        CheckConstraint("declaration <> 'recused' OR recusal_reason <> ''", name="recusal_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("panel_rounds.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    declaration: Mapped[str] = mapped_column(String(20), default=Declaration.PENDING)
    recusal_reason: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    reviewer = relationship("User", foreign_keys=[reviewer_id], lazy="joined")
    sheet: Mapped["ScoreSheet | None"] = relationship(back_populates="member", uselist=False, lazy="selectin")


class Recommendation(LabelledEnum):
    APPROVE = "approve", _l("Recommend approval")
    APPROVE_WITH_CONDITIONS = "conditions", _l("Approve after revision")
    REJECT = "reject", _l("Do not recommend")


RECOMMENDATION_LABELS = Recommendation.labels()


class SheetStatus(LabelledEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"


class ScoreSheet(db.Model):
    """One panel member's scores. Submitted sheets are locked (the service refuses changes)."""

    __tablename__ = "score_sheets"
    __table_args__ = (
        SheetStatus.check_constraint("status", name="known_status"),
        CheckConstraint("status = 'draft' OR (total_centi IS NOT NULL AND recommendation IS NOT NULL)",
                        name="submitted_is_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_member_id: Mapped[int] = mapped_column(ForeignKey("panel_members.id"), unique=True)
    criteria_set_id: Mapped[int] = mapped_column(ForeignKey("criteria_sets.id"))
    status: Mapped[str] = mapped_column(String(10), default=SheetStatus.DRAFT)
    recommendation: Mapped[str | None] = mapped_column(String(20))
    total_centi: Mapped[int | None]  # weighted total in hundredths of a point, set on submission
    submitted_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    member: Mapped[PanelMember] = relationship(back_populates="sheet")
    scores: Mapped[list["Score"]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def submitted(self) -> bool:
        return self.status == SheetStatus.SUBMITTED


class Score(db.Model):
    __tablename__ = "scores"
    __table_args__ = (
        UniqueConstraint("sheet_id", "criterion_id"),
        CheckConstraint("score BETWEEN 0 AND 100", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id"))
    score: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")


class SiteVisit(db.Model):
    """实地走访: who went where, when, and what they found. Photos are project attachments."""

    __tablename__ = "site_visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    visited_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(200))
    participants: Mapped[str] = mapped_column(Text)
    findings: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by = relationship("User", lazy="joined")
