"""Monitoring rules: indicators, readings (append-only, corrections supersede), the warning a red
project opens, and the guard the disbursement machine asks before a payment is approved."""
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import local_today, refuse_future_date
from ..errors import DomainError
from ..extensions import db
from ..projects.models import Project, ProjectStatus
from ..projects.services import add_attachment
from .models import (
    OPEN_WARNING_STATUSES,
    Indicator,
    Reading,
    ReadingSource,
    Reporter,
    ReportingInterval,
    ProjectWarning,
    WarningStatus,
)
from .status import Colour, format_value, project_status
from .warnings import has_override

MONITORED_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED,
                      ProjectStatus.OPERATING)
PHOTO_TYPES = frozenset({"image/jpeg", "image/png"})

# Templates from the source to pick from: (name, unit, interval).
INDICATOR_TEMPLATES = (
    (_l("Minimum livestock on hand"), _l("head"), ReportingInterval.MONTHLY),
    (_l("Working capital"), _l("yuan"), ReportingInterval.QUARTERLY),
    (_l("Calf traceability rate"), "%", ReportingInterval.QUARTERLY),
    (_l("Occupancy rate"), "%", ReportingInterval.MONTHLY),
    (_l("Output"), _l("tonnes"), ReportingInterval.QUARTERLY),
)


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    unit: str
    minimum_centi: int | None
    maximum_centi: int | None
    reporting_interval: str = ReportingInterval.MONTHLY
    reporter: str = Reporter.VILLAGE
    monitored_from: date | None = None


def is_monitored(project: Project) -> bool:
    return project.status in MONITORED_STATUSES


def may_define_indicators(project: Project, user) -> bool:
    return is_monitored(project) and Role.APPROVER in acting_roles(user, project.village)


def add_indicator(project: Project, data: IndicatorInput, *, actor) -> Indicator:
    """The county sets a project's indicators ("one project, one plan") once it is approved."""
    if not may_define_indicators(project, actor):
        raise DomainError(_l("The county approver sets indicators of approved projects."))
    name, unit = data.name.strip(), data.unit.strip()
    if not name or not unit:
        raise DomainError(_l("Give the indicator's name and unit."), field="name")
    if data.minimum_centi is None and data.maximum_centi is None:
        raise DomainError(_l("Give a minimum, a maximum or both."), field="minimum")
    if data.minimum_centi is not None and data.maximum_centi is not None and data.minimum_centi > data.maximum_centi:
        raise DomainError(_l("The minimum is above the maximum."), field="maximum")
    clash = db.session.execute(select(Indicator.id).where(Indicator.project_id == project.id,
                                                          func.lower(Indicator.name) == name.lower())).first()
    if clash is not None:
        raise DomainError(_l("The project already has an indicator with this name."), field="name")
    indicator = Indicator(project_id=project.id, name=name, unit=unit, minimum_centi=data.minimum_centi,
                          maximum_centi=data.maximum_centi, reporting_interval=ReportingInterval(data.reporting_interval),
                          reporter=Reporter(data.reporter), monitored_from=data.monitored_from or local_today(),
                          created_by_id=actor.id)
    db.session.add(indicator)
    db.session.flush()
    record_audit("monitoring.indicator", "project", project.id, summary=name,
                 after={"indicator_id": indicator.id, "minimum_centi": data.minimum_centi,
                        "maximum_centi": data.maximum_centi, "interval": indicator.reporting_interval}, actor=actor)
    _store_colour(project)
    return indicator


def _store_colour(project: Project) -> None:
    from .stored import recompute_project  # stored.py reads MONITORED_STATUSES from here

    recompute_project(project)


def reading_source(project: Project, indicator: Indicator, user) -> ReadingSource | None:
    """What a reading by this user is: the village's report (when the village reports this indicator),
    a township or a county inspection; None when the user may not record one."""
    roles = acting_roles(user, project.village)
    if Role.VILLAGE in roles and indicator.reporter == Reporter.VILLAGE:
        return ReadingSource.VILLAGE
    if Role.TOWN in roles:
        return ReadingSource.TOWN
    if roles & {Role.APPROVER, Role.REVIEWER}:
        return ReadingSource.COUNTY
    return None


def record_reading(project: Project, indicator: Indicator, *, value_centi: int, read_on: date, actor, note: str = "",
                   photo=None, supersedes: Reading | None = None, reason: str = "") -> Reading:
    """A reading, or a correction that supersedes one (with its reason; both are kept). A project that
    turns red opens a warning for the county."""
    if indicator.project_id != project.id:
        raise DomainError(_l("This indicator belongs to another project."))
    if not is_monitored(project):
        raise DomainError(_l("Readings are recorded for approved projects."))
    source = reading_source(project, indicator, actor)
    if source is None:
        raise DomainError(_l("Your roles do not allow readings of this indicator."))
    if not isinstance(value_centi, int) or isinstance(value_centi, bool):
        raise DomainError(_l("Enter the value as a number, e.g. 142 or 87.5."), field="value")
    refuse_future_date(read_on, "read_on")
    reason = (reason or "").strip()
    if supersedes is not None:
        _check_correction(indicator, supersedes, reason)
    photo_id = None
    if photo is not None and getattr(photo, "filename", ""):
        attachment = add_attachment(project, photo, kind="photo", actor=actor)
        if attachment.content_type not in PHOTO_TYPES:
            raise DomainError(_l("The photo must be a JPEG or PNG image."), field="photo")
        photo_id = attachment.id
    reading = Reading(indicator_id=indicator.id, project_id=project.id, value_centi=value_centi, read_on=read_on,
                      source=source, note=(note or "").strip()[:1000], photo_id=photo_id,
                      supersedes_id=supersedes.id if supersedes else None, reason=reason[:1000],
                      recorded_by_id=actor.id)
    db.session.add(reading)
    db.session.flush()
    record_audit("monitoring.reading", "project", project.id,
                 summary=f"{indicator.name} {format_value(value_centi)} {indicator.unit} {read_on}"[:200],
                 after={"reading_id": reading.id, "supersedes_id": reading.supersedes_id, "reason": reason},
                 actor=actor)
    open_warning_if_red(project, actor, read_on)
    _store_colour(project)
    return reading


def _check_correction(indicator: Indicator, earlier: Reading, reason: str) -> None:
    if earlier.indicator_id != indicator.id:
        raise DomainError(_l("The reading to correct belongs to another indicator."))
    if not reason:
        raise DomainError(_l("Give the reason for the correction."), field="reason")
    later = db.session.execute(select(Reading.id).where(Reading.supersedes_id == earlier.id)).scalar_one_or_none()
    if later is not None:
        raise DomainError(_l("This reading was already corrected (reading #%(id)d); correct that one instead.",
                             id=later))


def open_warning(project: Project) -> ProjectWarning | None:
    """The project's warning that is still open (the latest), or None."""
    return db.session.execute(
        select(ProjectWarning).where(ProjectWarning.project_id == project.id,
                                     ProjectWarning.status.in_(OPEN_WARNING_STATUSES))
        .order_by(ProjectWarning.id.desc()).limit(1)
    ).scalar_one_or_none()


def open_warning_if_red(project: Project, actor, red_since: date) -> ProjectWarning | None:
    """A project that is red and has no open warning gets one, for the county to act on."""
    monitoring = project_status(project, local_today())
    if monitoring.colour != Colour.RED or open_warning(project) is not None:
        return None
    causes = "\n".join(str(cause) for cause in monitoring.causes if cause.colour == Colour.RED)
    warning = ProjectWarning(project_id=project.id, status=WarningStatus.OPEN, causes=causes, red_since=red_since)
    db.session.add(warning)
    db.session.flush()
    record_audit("warning.open", "project", project.id, summary=causes[:200], after={"warning_id": warning.id},
                 actor=actor)
    return warning


def payment_guard(disbursement, action, actor, data) -> None:
    """Hook.TRANSITION_GUARD of the disbursement machine: a red project with an open warning is not paid
    unless an approver recorded an override with a reason; with INDICATORS_REQUIRED_BEFORE_PAYMENT, a
    project without indicators is not paid either."""
    if str(action) != "approve":
        return
    project = db.session.get(Project, disbursement.project_id)
    if project is None:
        return
    if current_app.config["INDICATORS_REQUIRED_BEFORE_PAYMENT"] and db.session.execute(
            select(Indicator.id).where(Indicator.project_id == project.id).limit(1)).first() is None:
        raise DomainError(_l("The county requires the project's indicators before its first payment."))
    if project_status(project, local_today()).colour != Colour.RED:
        return
    warning = open_warning(project)
    if warning is not None and not has_override(warning):
        raise DomainError(_l("%(project)s is red with an open warning (#%(id)d): it cannot be paid unless an "
                             "approver records an override with a reason on the warning.",
                             project=project.title, id=warning.id))
