"""The yearly performance evaluation (年度绩效评价) of a project: one row per project, year and version.
A published row keeps the snapshot of its figures (JSON), its score and grade, and is never changed
again; re-evaluating a published year opens a new version, and both are kept."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db
from ..statemachine import TimelineEventColumns


class EvaluationStatus(LabelledEnum):
    DRAFT = "draft", _l("Opened")
    SELF_EVALUATED = "self_done", _l("Self-evaluated by the village")
    COUNTY_DRAFT = "county", _l("County evaluation in progress")
    PUBLISHED = "published", _l("Published")
    REOPENED = "reopened", _l("Re-evaluated (a later version follows)")


EVALUATION_STATUS_LABELS = EvaluationStatus.labels()


class ProjectEvaluation(db.Model):
    __tablename__ = "project_evaluations"
    __table_args__ = (
        EvaluationStatus.check_constraint("status", name="known_status"),
        UniqueConstraint("project_id", "year", "version"),
        CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        CheckConstraint("(published_at IS NULL) = (score_centi IS NULL)", name="published_has_score"),
        CheckConstraint("score_centi IS NULL OR score_centi BETWEEN 0 AND 10000", name="score_range"),
        CheckConstraint("(version = 1) = (supersedes_id IS NULL)", name="version_one_is_original"),
        CheckConstraint("supersedes_id IS NULL OR reopen_reason <> ''", name="new_version_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    year: Mapped[int] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(10), default=EvaluationStatus.DRAFT, index=True)
    self_comment: Mapped[str] = mapped_column(Text, default="")  # the village's self-evaluation (自评)
    self_evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    comment: Mapped[str] = mapped_column(Text, default="")  # the county evaluator's comment
    # judgment indicator key -> {"share_bp": 0..10000, "reason": "..."}
    adjustments: Mapped[dict] = mapped_column(JSON, default=dict)
    figures: Mapped[dict | None] = mapped_column(JSON)  # the snapshot, set when published
    score_centi: Mapped[int | None]
    grade: Mapped[str | None] = mapped_column(String(20))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("project_evaluations.id"), unique=True)
    reopen_reason: Mapped[str] = mapped_column(Text, default="")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class EvaluationEvent(TimelineEventColumns, db.Model):
    """The evaluation's timeline (append-only), one row per transition."""

    __tablename__ = "evaluation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("project_evaluations.id"), index=True)
