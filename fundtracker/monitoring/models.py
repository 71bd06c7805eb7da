"""Monitoring (监测): indicators per project ("one project, one plan"), append-only readings,
warnings (预警) with their timeline and the approvers' payment overrides.

Indicator bounds and reading values are exact hundredths (value_centi: 142 head = 14200, 87.5 % =
8750), never floats.
"""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..enums import LabelledEnum
from ..extensions import db
from ..statemachine import TimelineEventColumns


class ReportingInterval(LabelledEnum):
    MONTHLY = "monthly", _l("Monthly")
    QUARTERLY = "quarterly", _l("Quarterly")
    YEARLY = "yearly", _l("Yearly")


INTERVAL_MONTHS = {ReportingInterval.MONTHLY: 1, ReportingInterval.QUARTERLY: 3, ReportingInterval.YEARLY: 12}


class Reporter(LabelledEnum):
    VILLAGE = "village", _l("The village collective")
    TOWN = "town", _l("The township")
    COUNTY = "county", _l("The county")


class ReadingSource(LabelledEnum):
    VILLAGE = "village", _l("Village report")
    TOWN = "town", _l("Township inspection")
    COUNTY = "county", _l("County inspection")


class Indicator(db.Model):
    __tablename__ = "indicators"
    __table_args__ = (
        ReportingInterval.check_constraint("reporting_interval", name="known_interval"),
        Reporter.check_constraint("reporter", name="known_reporter"),
        CheckConstraint("minimum_centi IS NOT NULL OR maximum_centi IS NOT NULL", name="has_a_bound"),
        CheckConstraint("minimum_centi IS NULL OR maximum_centi IS NULL OR minimum_centi <= maximum_centi",
                        name="bounds_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))
    minimum_centi: Mapped[int | None] = mapped_column(BigInteger)
    maximum_centi: Mapped[int | None] = mapped_column(BigInteger)
    reporting_interval: Mapped[str] = mapped_column(String(10), default=ReportingInterval.MONTHLY)
    reporter: Mapped[str] = mapped_column(String(10), default=Reporter.VILLAGE)
    monitored_from: Mapped[date]  # the first reading is due one interval after this date
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __str__(self) -> str:
        return self.name


class Reading(db.Model):
    """A value of an indicator. Append-only: a correction is a new reading that supersedes one, with a reason."""

    __tablename__ = "indicator_readings"
    __table_args__ = (
        ReadingSource.check_constraint("source", name="known_source"),
        CheckConstraint("(supersedes_id IS NULL) OR (reason <> '')", name="correction_has_reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicators.id"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    value_centi: Mapped[int] = mapped_column(BigInteger)
    read_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(10), default=ReadingSource.VILLAGE)
    note: Mapped[str] = mapped_column(String(1000), default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("project_attachments.id"))
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("indicator_readings.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000), default="")
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    recorded_by = relationship("User", lazy="joined")


class WarningStatus(LabelledEnum):
    OPEN = "open", _l("Open, to be confirmed")
    CONFIRMED = "confirmed", _l("Confirmed, rectification due")
    ANSWERED = "answered", _l("Rectification reported")
    ESCALATED = "escalated", _l("Escalated")
    DISMISSED = "dismissed", _l("Dismissed")
    CLOSED = "closed", _l("Closed")


WARNING_STATUS_LABELS = WarningStatus.labels()
OPEN_WARNING_STATUSES = (WarningStatus.OPEN, WarningStatus.CONFIRMED, WarningStatus.ANSWERED, WarningStatus.ESCALATED)


class ProjectWarning(db.Model):
    """A warning (预警) opened when a project turns red; the county acts on it through its machine."""

    __tablename__ = "project_warnings"
    __table_args__ = (WarningStatus.check_constraint("status", name="known_status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(10), default=WarningStatus.OPEN, index=True)
    causes: Mapped[str] = mapped_column(Text, default="")  # the red causes when it opened
    red_since: Mapped[date]  # the date of the reading that turned the project red
    rectify_by: Mapped[date | None]  # 限期整改
    required_changes: Mapped[str] = mapped_column(Text, default="")
    rectification_report: Mapped[str] = mapped_column(Text, default="")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project", lazy="joined")

    def __str__(self) -> str:
        return f"#{self.id}"


class WarningEvent(TimelineEventColumns, db.Model):
    """The warning's timeline (append-only), one row per transition, with the payment overrides."""

    __tablename__ = "warning_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    warning_id: Mapped[int] = mapped_column(ForeignKey("project_warnings.id"), index=True)


class StoredMonitoringStatus(db.Model):
    """Each monitored project's colour today and its causes (JSON {locale: [sentence, …]}), as status.py
    computed them: written by stored.recompute_projects() on every write that changes an input and by
    `flask refresh-monitoring` for the causes that come with time. The warning board and the dashboard
    count and page over it."""

    __tablename__ = "project_monitoring_status"
    __table_args__ = (
        CheckConstraint("colour IN ('green', 'yellow', 'red')", name="known_colour"),
        Index("ix_project_monitoring_status_colour", "colour", "project_id"),
    )

    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    colour: Mapped[str] = mapped_column(String(10))
    causes: Mapped[str] = mapped_column(Text, default="{}")
    computed_on: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    project = relationship("Project")
