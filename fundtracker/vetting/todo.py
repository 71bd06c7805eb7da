"""What waits for a county reviewer, for the home page (Hook.TODO under the reviewer role)."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..main.todo import TodoItem
from ..projects.models import Project, ProjectStatus
from .models import Declaration, PanelMember, ScoreSheet, SheetStatus
from .services import PANEL_STATUSES


def reviewer_todos(user) -> list[TodoItem]:
    """Panels waiting for my declaration, my score sheet, or the submission of my draft."""
    rows = db.session.execute(
        select(PanelMember.declaration, ScoreSheet.status, Project.status)
        .join(Project, Project.id == PanelMember.project_id)
        .outerjoin(ScoreSheet, ScoreSheet.panel_member_id == PanelMember.id)
        .where(PanelMember.reviewer_id == user.id, Project.status.in_(PANEL_STATUSES))
    ).all()
    declare = sum(1 for declaration, _, _ in rows if declaration == Declaration.PENDING)
    score = sum(1 for declaration, sheet, status in rows
                if declaration == Declaration.NO_CONFLICT and sheet is None and status == ProjectStatus.VETTING)
    submit = sum(1 for declaration, sheet, _ in rows
                 if declaration == Declaration.NO_CONFLICT and sheet == SheetStatus.DRAFT)
    url = url_for("vetting.my_panels")
    return [TodoItem(_l("Panels waiting for your declaration"), url, declare),
            TodoItem(_l("Projects waiting for your score sheet"), url, score),
            TodoItem(_l("Score sheets to submit"), url, submit)]
