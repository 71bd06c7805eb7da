"""What returns ask of a village collective, for the home page (Hook.TODO)."""
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..clock import add_months, local_today
from ..extensions import db
from ..main.todo import TodoItem
from ..monitoring.services import MONITORED_STATUSES
from ..projects.loaders import scoped_projects
from ..projects.models import Project
from .models import DistributionPlan, PlanStatus, ReturnRecord


def last_quarter(today: date) -> tuple[date, date]:
    """The last quarter that has ended: (first day, first day after)."""
    end = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return add_months(end, -3), end


def village_todos(user) -> list[TodoItem]:
    _, quarter_end = last_quarter(local_today())
    last_day = quarter_end - timedelta(days=1)
    covered = select(ReturnRecord.id).where(and_(ReturnRecord.project_id == Project.id,
                                                 ReturnRecord.period_start <= last_day,
                                                 ReturnRecord.period_end > last_day)).exists()
    projects = scoped_projects(user).where(Project.status.in_(MONITORED_STATUSES))
    due, first_due = db.session.execute(projects.where(~covered).with_only_columns(
        func.count(Project.id), func.min(Project.id))).one()
    plan_projects = projects.with_only_columns(Project.id)
    publish, pay = db.session.execute(select(
        func.count(DistributionPlan.id).filter(DistributionPlan.status == PlanStatus.ADOPTED),
        func.count(DistributionPlan.id).filter(DistributionPlan.status == PlanStatus.PUBLISHED),
    ).where(DistributionPlan.project_id.in_(plan_projects))).one()
    home = url_for("main.home")
    return [TodoItem(_l("Returns due for the last quarter"),
                     url_for("returns.project_tab", project_id=first_due) if first_due else home, due),
            TodoItem(_l("Distribution plans to publish"), home, publish),
            TodoItem(_l("Published distribution plans to pay out after their notice"), home, pay)]
