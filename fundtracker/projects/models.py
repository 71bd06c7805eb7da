"""Village projects (项目). The core columns every domain relies on; the application
issue adds the rest of the application's fields."""
from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class ProjectStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    TOWN_PASSED = "town_passed"
    VETTING = "vetting"
    APPROVED = "approved"
    IN_PROGRESS = "in_progress"
    ACCEPTED = "accepted"
    OPERATING = "operating"
    CLOSED = "closed"
    RETURNED = "returned"
    REJECTED = "rejected"
    EXITED = "exited"


PROJECT_STATUS_LABELS = {
    ProjectStatus.DRAFT: _l("Draft"),
    ProjectStatus.SUBMITTED: _l("Submitted"),
    ProjectStatus.TOWN_PASSED: _l("Passed by the township"),
    ProjectStatus.VETTING: _l("County vetting"),
    ProjectStatus.APPROVED: _l("Approved"),
    ProjectStatus.IN_PROGRESS: _l("In progress"),
    ProjectStatus.ACCEPTED: _l("Accepted"),
    ProjectStatus.OPERATING: _l("Operating"),
    ProjectStatus.CLOSED: _l("Closed"),
    ProjectStatus.RETURNED: _l("Returned for revision"),
    ProjectStatus.REJECTED: _l("Rejected"),
    ProjectStatus.EXITED: _l("Exited (funds recovered)"),
}

# Approved money stays committed in its pool while the project is in one of these states.
COMMITTING_STATUSES = frozenset(
    {ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED, ProjectStatus.OPERATING}
)

_STATUS_SQL = ", ".join(f"'{s.value}'" for s in ProjectStatus)


class Project(db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint(f"status IN ({_STATUS_SQL})", name="known_status"),
        CheckConstraint("total_investment_fen >= 0", name="total_investment_not_negative"),
        CheckConstraint("requested_fen >= 0", name="requested_not_negative"),
        CheckConstraint("approved_amount_fen IS NULL OR approved_amount_fen > 0", name="approved_positive"),
        CheckConstraint("(approved_amount_fen IS NULL) = (pool_id IS NULL)", name="approval_names_pool"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(30), default="other")
    status: Mapped[str] = mapped_column(String(20), default=ProjectStatus.DRAFT, index=True)
    total_investment_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    requested_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    approved_amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    pool_id: Mapped[int | None] = mapped_column(ForeignKey("fund_pools.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    village = relationship("Village", lazy="joined")
    pool = relationship("FundPool")

    def __str__(self) -> str:
        return self.title
