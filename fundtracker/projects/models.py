"""Village projects (项目): the application ("one project, one plan") and its yearly plan."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db


class ProjectStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    SUBMITTED = "submitted", _l("Submitted")
    TOWN_PASSED = "town_passed", _l("Passed by the township")
    VETTING = "vetting", _l("County vetting")
    APPROVED = "approved", _l("Approved")
    IN_PROGRESS = "in_progress", _l("In progress")
    ACCEPTED = "accepted", _l("Accepted")
    OPERATING = "operating", _l("Operating")
    CLOSED = "closed", _l("Finished and closed")
    RETURNED = "returned", _l("Returned for revision")
    REJECTED = "rejected", _l("Rejected")
    EXITED = "exited", _l("Exited (funds recovered)")


PROJECT_STATUS_LABELS = ProjectStatus.labels()


class ProjectCategory(LabelledEnum):
    LIVESTOCK = "livestock", _l("Livestock")
    AQUACULTURE = "aquaculture", _l("Aquaculture")
    CROPS = "crops", _l("Crops")
    PROCESSING = "processing", _l("Processing")
    RURAL_TOURISM = "rural_tourism", _l("Rural tourism")
    PROPERTY_LEASING = "property_leasing", _l("Property leasing")
    OTHER = "other", _l("Other")


PROJECT_CATEGORY_LABELS = ProjectCategory.labels()

# The funding plan by source (资金来源): column name -> label. Must add up to the total investment.
FUNDING_SOURCES = {
    "funding_subsidy_fen": _l("Fiscal subsidy"),
    "funding_loan_fen": _l("Bank loan"),
    "funding_self_raised_fen": _l("Collective self-raised"),
    "funding_donation_fen": _l("Social donation"),
    "funding_other_fen": _l("Other source"),
}


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        ProjectStatus.check_constraint("status", name="known_status"),
        CheckConstraint("total_investment_fen >= 0", name="total_investment_not_negative"),
        CheckConstraint("requested_fen >= 0", name="requested_not_negative"),
        CheckConstraint("approved_amount_fen IS NULL OR approved_amount_fen > 0", name="approved_positive"),
        CheckConstraint("(approved_amount_fen IS NULL) = (pool_id IS NULL)", name="approval_names_pool"),
        CheckConstraint(
            "funding_subsidy_fen >= 0 AND funding_loan_fen >= 0 AND funding_self_raised_fen >= 0"
            " AND funding_donation_fen >= 0 AND funding_other_fen >= 0",
            name="funding_not_negative",
        ),
        CheckConstraint("loan_rate_bp IS NULL OR (loan_rate_bp >= 0 AND loan_rate_bp <= 3600)", name="loan_rate_range"),
        CheckConstraint("loan_term_months IS NULL OR loan_term_months > 0", name="loan_term_positive"),
        CheckConstraint("meeting_members_expected IS NULL OR meeting_members_expected > 0",
                        name="meeting_members_expected_positive"),
        # The project library's filters and sorts, each walked in order (a filter with its sort together).
        Index("ix_projects_created_at_id", "created_at", "id"),
        Index("ix_projects_status_created_at_id", "status", "created_at", "id"),
        Index("ix_projects_status_requested_fen_id", "status", "requested_fen", "id"),
        Index("ix_projects_requested_fen_id", "requested_fen", "id"),
        Index("ix_projects_approved_amount_fen_id", "approved_amount_fen", "id"),
        Index("ix_projects_village_id_created_at_id", "village_id", "created_at", "id"),
        Index("ix_projects_title_id", "title", "id"),
        # The counts by status under the county's visibility rule (status, and village_id for drafts) read
        # this index alone on PostgreSQL (an index-only scan) instead of every row.
        Index("ix_projects_status_village_id", "status", "village_id"),
        # The home page's counts of what waits (city filings due, evaluations due) read this index alone:
        # the statuses they count, the dates they test, and village_id for the visibility rule.
        Index("ix_projects_status_dates", "status", "start_on", "city_filed_on", "village_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), default=ProjectCategory.OTHER)
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.DRAFT)
    total_investment_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    requested_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("fund_pools.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    last_edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    start_on: Mapped[date | None]
    end_on: Mapped[date | None]
    funding_subsidy_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_loan_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_self_raised_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_donation_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    funding_other_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    loan_rate_bp: Mapped[int | None]  # annual rate of the planned loan in basis points (385 = 3.85%)
    loan_term_months: Mapped[int | None]
    risks: Mapped[str] = mapped_column(Text, default="")
    mitigation: Mapped[str] = mapped_column(Text, default="")
    # What county application forms carry besides the plan: how farmers share in it (联农带农、利益联结),
    # the performance targets (绩效目标: 产出 / 效益 / 满意度), land-use compliance, the planned distribution
    # of income, and who will own the assets.
    benefit_linkage: Mapped[str] = mapped_column(Text, default="")
    target_output: Mapped[str] = mapped_column(Text, default="")
    target_benefit: Mapped[str] = mapped_column(Text, default="")
    target_satisfaction: Mapped[str] = mapped_column(Text, default="")
    land_use_compliance: Mapped[str] = mapped_column(Text, default="")
    income_distribution: Mapped[str] = mapped_column(Text, default="")
    asset_ownership: Mapped[str] = mapped_column(Text, default="")
    meeting_on: Mapped[date | None]  # 四议两公开: the villagers' (representatives') meeting
    meeting_members_expected: Mapped[int | None]  # 应到人数: its members, for the quorum
    meeting_attendance: Mapped[int | None]
    meeting_votes_for: Mapped[int | None]
    meeting_votes_against: Mapped[int | None]
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    city_filed_on: Mapped[date | None]  # 报市备案
    city_filing_reference: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    village = relationship("Village", lazy="joined")
    pool = relationship("FundPool")
    year_plans: Mapped[list["ProjectYearPlan"]] = relationship(
        back_populates="project", order_by="ProjectYearPlan.year_number", cascade="all, delete-orphan"
    )

    def __str__(self) -> str:
        return self.title

    @property
    def funding_plan_total_fen(self) -> int:
        return sum(getattr(self, column) or 0 for column in FUNDING_SOURCES)

    @property
    def expected_yearly_net_fen(self) -> int:
        """Mean expected net (revenue − cost) over the planned years of operation; 0 without a plan."""
        if not self.year_plans:
            return 0
        return sum(plan.net_fen for plan in self.year_plans) // len(self.year_plans)


class ProjectYearPlan(db.Model):
    """Expected revenue and cost for one of the first years of operation."""

    __tablename__ = "project_year_plans"
    __table_args__ = (
        UniqueConstraint("project_id", "year_number"),
        CheckConstraint("year_number BETWEEN 1 AND 10", name="year_number_range"),
        CheckConstraint("revenue_fen >= 0 AND cost_fen >= 0", name="amounts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year_number: Mapped[int]
    revenue_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)

    project: Mapped[Project] = relationship(back_populates="year_plans")

    @property
    def net_fen(self) -> int:
        return self.revenue_fen - self.cost_fen


class ProjectEvent(db.Model):
    """The timeline: one row per transition (actor, time, comment). Append-only."""

    __tablename__ = "project_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    from_status: Mapped[str] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor = relationship("User", lazy="joined")


class DecisionOutcome(LabelledEnum):
    APPROVE = "approve", _l("Approved")
    REJECT = "reject", _l("Rejected")
    RETURN = "return", _l("Returned for revision")


DECISION_LABELS = DecisionOutcome.labels()


class ProjectDecision(db.Model):
    """The county decision, with the panel score it was based on (hundredths of a point). Append-only."""

    __tablename__ = "project_decisions"
    __table_args__ = (
        DecisionOutcome.check_constraint("outcome", name="known_outcome"),
        CheckConstraint(
            "(outcome = 'approve') = (approved_amount_fen IS NOT NULL AND pool_id IS NOT NULL)",
            name="approval_has_amount_and_pool",
        ),
        CheckConstraint("approved_amount_fen IS NULL OR approved_amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(10))
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("fund_pools.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    panel_score_centi: Mapped[int | None]
    panel_round: Mapped[int | None]  # the number of the panel round the decision followed
    version_number: Mapped[int | None]  # the submitted version of the application it decided
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by = relationship("User", lazy="joined")
    pool = relationship("FundPool", lazy="joined")


class ProjectVersion(db.Model):
    """The application as submitted, each time it is submitted (returned projects keep their history)."""

    __tablename__ = "project_versions"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    number: Mapped[int]
    snapshot: Mapped[dict] = mapped_column(JSON)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    submitted_by = relationship("User", lazy="joined")


class AttachmentKind(LabelledEnum):
    PLAN = "plan", _l("Plan")
    QUOTE = "quote", _l("Quote")
    MINUTES = "minutes", _l("Meeting minutes")
    PHOTO = "photo", _l("Photo")
    OTHER = "other", _l("Other document")


ATTACHMENT_KIND_LABELS = AttachmentKind.labels()


class ProjectAttachment(db.Model):
    """A file on a project, stored outside static/ under a generated name."""

    __tablename__ = "project_attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=AttachmentKind.OTHER)
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    site_visit_id: Mapped[int | None]  # set by the vetting domain for site-visit photos
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # shown on the public page
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    uploaded_by = relationship("User", lazy="joined")
