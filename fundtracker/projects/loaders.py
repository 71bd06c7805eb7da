"""The scoped loader every project view uses: outside the user's scope is 404."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import village_scope
from ..database import lock_row
from ..extensions import db
from .models import Project


def scoped_projects(user=None):
    """SELECT of the projects the user may see; lists build on it."""
    user = user or current_user
    return select(Project).where(village_scope(user, Project.village_id))


def get_project_or_404(project_id: int, *, for_update: bool = False) -> Project:
    visible = db.session.execute(
        select(Project.id).where(Project.id == project_id, village_scope(current_user, Project.village_id))
    ).scalar_one_or_none()
    if visible is None:
        abort(404)
    return lock_row(Project, project_id) if for_update else db.session.get(Project, project_id)
