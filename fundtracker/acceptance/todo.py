"""What acceptance, assets and exits ask of each role, for the home page (Hook.TODO)."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..disbursements.models import ProgressReport, ReportStatus
from ..extensions import db
from ..main.todo import TodoItem
from ..projects.loaders import scoped_projects, scoped_via_project
from ..projects.models import Project, ProjectStatus
from .checks import FULL_PROGRESS
from .models import Acceptance, AcceptanceStatus, AssetDisposal, DisposalStatus, ExitStatus, ProjectExit, Rectification


def _first(project_id) -> str:
    return url_for("acceptance.project_tab", project_id=project_id) if project_id else url_for("main.home")


def township_todos(user) -> list[TodoItem]:
    """Finished works (100 % confirmed) in the township waiting for its check."""
    finished = select(ProgressReport.id).where(ProgressReport.project_id == Project.id,
                                               ProgressReport.status == ReportStatus.CONFIRMED,
                                               ProgressReport.progress_percent >= FULL_PROGRESS).exists()
    started = select(Acceptance.id).where(Acceptance.project_id == Project.id,
                                          Acceptance.status != AcceptanceStatus.TOWN_DUE).exists()
    count, first = db.session.execute(scoped_projects(user).where(
        Project.status == ProjectStatus.IN_PROGRESS, finished, ~started)
        .with_only_columns(func.count(Project.id), func.min(Project.id))).one()
    return [TodoItem(_l("Finished works waiting for the township's check"), _first(first), count)]


def approver_todos(user) -> list[TodoItem]:
    acceptances, first = db.session.execute(select(func.count(Acceptance.id), func.min(Acceptance.project_id))
                                            .where(Acceptance.status == AcceptanceStatus.COUNTY_DUE)).one()
    disposals, first_disposal = db.session.execute(select(
        func.count(AssetDisposal.id), func.min(AssetDisposal.project_id)).where(
        AssetDisposal.status == DisposalStatus.PROPOSED, AssetDisposal.proposed_by_id != user.id)).one()
    return [TodoItem(_l("Projects waiting for the county's acceptance"), _first(first), acceptances),
            TodoItem(_l("Asset disposals to approve"), _first(first_disposal), disposals)]


def village_todos(user) -> list[TodoItem]:
    count, first = db.session.execute(scoped_via_project(
        select(func.count(Rectification.id), func.min(Rectification.project_id))
        .where(Rectification.answered_on.is_(None)), Rectification.project_id, user)).one()
    return [TodoItem(_l("Rectifications to answer"), _first(first), count)]


def finance_todos(user) -> list[TodoItem]:
    count, first = db.session.execute(select(func.count(ProjectExit.id), func.min(ProjectExit.project_id))
                                      .where(ProjectExit.status == ExitStatus.OPEN)).one()
    return [TodoItem(_l("Exited projects with money to recover"), _first(first), count)]
