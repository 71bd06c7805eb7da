"""What the yearly evaluation asks of each role, for the home page (Hook.TODO): the county approver's
evaluations to carry on and the running projects whose last year is not yet evaluated; the village's
self-evaluations to write."""
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from ..clock import local_today
from ..extensions import db
from ..main.todo import TodoItem
from ..projects.loaders import scoped_projects
from ..projects.models import Project
from .models import EvaluationStatus, ProjectEvaluation
from .services import EVALUATED_STATUSES, OPEN_STATUSES


def _count(stmt) -> tuple[int, int | None]:
    return tuple(db.session.execute(stmt).one())


def county_todos(user) -> list[TodoItem]:
    projects = scoped_projects(user).with_only_columns(Project.id)
    in_hand, first = _count(select(func.count(ProjectEvaluation.id), func.min(ProjectEvaluation.project_id)).where(
        ProjectEvaluation.status.in_(OPEN_STATUSES), ProjectEvaluation.project_id.in_(projects)))
    last_year = local_today().year - 1
    evaluated = select(ProjectEvaluation.id).where(and_(ProjectEvaluation.project_id == Project.id,
                                                        ProjectEvaluation.year == last_year)).exists()
    started = or_(Project.start_on.is_(None), Project.start_on <= date(last_year, 12, 31))
    due, _ = _count(scoped_projects(user).where(Project.status.in_(EVALUATED_STATUSES), started, ~evaluated)
                    .with_only_columns(func.count(Project.id), func.min(Project.id)))
    in_hand_url = url_for("evaluation.project_tab", project_id=first) if in_hand == 1 else url_for(
        "evaluation.year_list")
    return [TodoItem(_l("Performance evaluations to carry on and publish"), in_hand_url, in_hand),
            TodoItem(_l("Projects whose %(year)d performance evaluation is due", year=last_year),
                     url_for("evaluation.year_list", year=last_year), due)]


def village_todos(user) -> list[TodoItem]:
    projects = scoped_projects(user).with_only_columns(Project.id)
    waiting, first = _count(select(func.count(ProjectEvaluation.id), func.min(ProjectEvaluation.project_id)).where(
        ProjectEvaluation.status == EvaluationStatus.DRAFT, ProjectEvaluation.project_id.in_(projects)))
    url = url_for("evaluation.project_tab", project_id=first) if first else url_for("main.home")
    return [TodoItem(_l("Self-evaluations (自评) to write"), url, waiting)]
