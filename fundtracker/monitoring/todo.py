"""What monitoring asks of each role, for the home page (Hook.TODO)."""
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..clock import local_today
from ..extensions import db
from ..main.todo import TodoItem
from ..projects.loaders import scoped_projects
from ..projects.models import Project
from .models import Indicator, ProjectWarning, Reporter, WarningStatus
from .services import MONITORED_STATUSES
from .status import due_date, latest_readings


def _warnings(user, status) -> tuple[int, int | None]:
    """How many warnings in this status the user's scope holds, and the project of the first."""
    projects = scoped_projects(user).with_only_columns(Project.id)
    return tuple(db.session.execute(select(func.count(ProjectWarning.id), func.min(ProjectWarning.project_id)).where(
        ProjectWarning.status == status, ProjectWarning.project_id.in_(projects))).one())


def _project_url(project_id) -> str:
    return url_for("monitoring.project_tab", project_id=project_id) if project_id else url_for("main.home")


def village_todos(user) -> list[TodoItem]:
    """Readings overdue and due soon of the indicators the village reports; warnings to answer."""
    projects = scoped_projects(user).where(Project.status.in_(MONITORED_STATUSES)).with_only_columns(Project.id)
    indicators = db.session.execute(select(Indicator).where(
        Indicator.project_id.in_(projects), Indicator.reporter == Reporter.VILLAGE).order_by(Indicator.id)
    ).scalars().all()
    latest = latest_readings(indicator.id for indicator in indicators)
    today = local_today()
    soon = today + timedelta(days=current_app.config["MONITORING_DUE_SOON_DAYS"])
    due = [(indicator, due_date(indicator, latest[indicator.id].read_on if indicator.id in latest else None))
           for indicator in indicators]
    overdue = [indicator for indicator, due_on in due if due_on < today]
    due_soon = [indicator for indicator, due_on in due if today <= due_on <= soon]
    to_answer, answer_project = _warnings(user, WarningStatus.CONFIRMED)
    return [TodoItem(_l("Readings overdue"), _project_url(overdue[0].project_id if overdue else None), len(overdue)),
            TodoItem(_l("Readings due this week"), _project_url(due_soon[0].project_id if due_soon else None),
                     len(due_soon)),
            TodoItem(_l("Warnings to answer with a rectification report"), _project_url(answer_project), to_answer)]


def county_todos(user) -> list[TodoItem]:
    url = url_for("monitoring.board")
    to_confirm, _ = _warnings(user, WarningStatus.OPEN)
    to_review, _ = _warnings(user, WarningStatus.ANSWERED)
    return [TodoItem(_l("Warnings to confirm or dismiss"), url, to_confirm),
            TodoItem(_l("Rectification reports to review"), url, to_review)]
