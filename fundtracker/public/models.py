"""Public notices (公示) with their period, the objections (异议) anyone may file during it and the
county's answers, and the table of objection attempts by client address that limits them across
servers. An objection's contact is kept for the county and never shown."""
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db


class NoticeKind(LabelledEnum):
    APPLICATION = "application", _l("Village application decision")
    APPROVAL = "approval", _l("County approval list")
    DISTRIBUTION = "distribution", _l("Distribution plan")
    ACCEPTANCE = "acceptance", _l("Acceptance result")
    OTHER = "other", _l("Other notice")


NOTICE_KIND_LABELS = NoticeKind.labels()
OBJECTION_MAX_LENGTH = 2000
CONTACT_MAX_LENGTH = 100


class Notice(db.Model):
    """A notice (公示) of a village, usually of one of its projects: published on a day for a period of
    days, during which anyone may object."""

    __tablename__ = "public_notices"
    __table_args__ = (
        NoticeKind.check_constraint("kind", name="known_kind"),
        CheckConstraint("period_days > 0", name="period_positive"),
        CheckConstraint("text <> ''", name="has_text"),
        Index("ix_public_notices_project_kind", "project_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    village_id: Mapped[int] = mapped_column(ForeignKey("villages.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"))
    distribution_plan_id: Mapped[int | None] = mapped_column(ForeignKey("distribution_plans.id"), index=True)
    starts_on: Mapped[date]
    period_days: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    village = relationship("Village", lazy="joined")
    project = relationship("Project")

    @property
    def ends_on(self) -> date:
        """The last day of the notice."""
        return self.starts_on + timedelta(days=self.period_days - 1)

    def is_open_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    def __str__(self) -> str:
        return f"#{self.id}"


class NoticeObjection(db.Model):
    """An objection filed by anyone during a notice, and the county's answer. The contact is private."""

    __tablename__ = "public_notice_objections"
    __table_args__ = (
        CheckConstraint("text <> ''", name="has_text"),
        CheckConstraint("(answer IS NULL) = (answered_at IS NULL) AND (answer IS NULL) = (answered_by_id IS NULL)",
                        name="answer_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("public_notices.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    contact: Mapped[str] = mapped_column(String(CONTACT_MAX_LENGTH), default="")  # never shown publicly
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    notice: Mapped[Notice] = relationship(lazy="joined")


class ObjectionAttempt(db.Model):
    """One objection sent from a client address (kept as a keyed hash, not the address itself): the
    rate limit counts these rows, so it holds across app servers and processes."""

    __tablename__ = "public_objection_attempts"
    __table_args__ = (
        Index("ix_public_objection_attempts_client_at", "client_key", "attempted_at"),
        # Attempts older than the window are deleted as new ones come (notices.file_objection).
        Index("ix_public_objection_attempts_attempted_at", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_key: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
