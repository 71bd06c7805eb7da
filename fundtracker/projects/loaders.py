"""The scoped loaders every project view uses: outside the request's scope is 404.

Objects that hang off a project (attachments, and in higher domains panel members, site visits,
tranches, disbursements…) are loaded through their project: get_child_or_404(Model, project, id)
and the named loaders built on it, and listed with scoped_via_project().
"""
from flask import abort
from flask_login import current_user
from sqlalchemy import Select, and_, exists, or_, select, true

from ..auth.access import Scope, acting_roles, request_scope, scope_of
from ..auth.roles import Role
from ..database import lock_row
from ..extensions import db
from ..htmx import redirect_after_post
from .models import Project, ProjectAttachment, ProjectStatus
from .tabs import first_read_guard_target


def _scope(user=None) -> Scope:
    return request_scope() if user is None else scope_of(user)


def scoped_projects(user=None):
    """SELECT of the projects the user (default: the request) may see; lists build on it. A draft is
    its own village's only: the township and the county see an application once submitted."""
    return select(Project).where(_visible(user))


def _visible(user=None):
    """The one rule of which projects a user may see, for lists and loaders alike."""
    return and_(_scope(user).villages(Project.village_id), _drafts_only_for_their_village(user or current_user))


def _drafts_only_for_their_village(user):
    own_village = user.village_id if Role.VILLAGE in getattr(user, "roles", ()) else None
    return or_(Project.status != ProjectStatus.DRAFT, Project.village_id == own_village)


def of_projects(project_id_column, project_ids):
    """`project_id_column IN (project_ids)` written as a correlated EXISTS: each row looks its project up by
    key, where the IN list would have the database gather every project in scope (the county's 20,000)
    once per query first. Other domains' figures filter by the library's projects with it."""
    if not isinstance(project_ids, Select):  # a few ids named one by one
        return project_id_column.in_(list(project_ids))
    return exists(project_ids.where(Project.id == project_id_column).correlate_except(Project))


def of_joined_projects(project_id_column, project_ids):
    """of_projects for a query that joins Project itself (on project_id_column): the scope's own conditions
    on the joined row, when the scope is a plain SELECT of projects (conditions only: no limit, grouping or
    DISTINCT), instead of looking every project up a second time (the monitored projects by township:
    3.3 → 2.5 ms on SQLite, 7.6 → 4.6 ms on PostgreSQL at county scale). Anything else, of_projects.
    The scope's subqueries must each read one table of their own (the library's village and township
    filters do), so that they do not correlate to a table the outer query joins."""
    if _conditions_on_projects_only(project_ids):
        return project_ids.whereclause if project_ids.whereclause is not None else true()
    return of_projects(project_id_column, project_ids)


def _conditions_on_projects_only(stmt) -> bool:
    # Select keeps its limit, offset, grouping, HAVING and DISTINCT in these attributes (SQLAlchemy 2.1, pinned
    # in requirements.txt); tests/monitoring/test_stored.py sees a limited scope keep the EXISTS.
    return (isinstance(stmt, Select) and stmt.get_final_froms() == [Project.__table__]
            and stmt._limit_clause is None and stmt._offset_clause is None and not stmt._group_by_clauses
            and not stmt._having_criteria and not stmt._distinct)


def scoped_via_project(stmt, project_id_column, user=None):
    """Limit a SELECT of objects that hang off a project to the projects in scope."""
    return stmt.where(of_projects(project_id_column, select(Project.id).where(_visible(user))))


def get_project_or_404(project_id: int, *, for_update: bool = False, guard_reading: bool = True) -> Project:
    """The project if it is in the request's scope (else 404). Before anything of it is read, the
    guards other domains connect to Hook.PROJECT_READ_GUARD may send the user elsewhere first (a panel
    member's declaration of interests): every page and fragment of a project goes through here."""
    visible = db.session.execute(
        select(Project.id).where(Project.id == project_id, _visible())
    ).scalar_one_or_none()
    if visible is None:
        abort(404)
    project = lock_row(Project, project_id) if for_update else db.session.get(Project, project_id)
    if guard_reading and (target := first_read_guard_target(project, current_user)):
        abort(redirect_after_post(target))
    return project


def get_child_or_404(model, project: Project, child_id: int):
    """A row of `model` (with a project_id) that belongs to this already-scoped project, else 404."""
    child = db.session.get(model, child_id)
    if child is None or child.project_id != project.id:
        abort(404)
    return child


def get_attachment_or_404(project: Project, attachment_id: int) -> ProjectAttachment:
    return get_child_or_404(ProjectAttachment, project, attachment_id)


def acts_as_village(user, project: Project) -> bool:
    """The village collective of this project's own village (not merely one who can see it)."""
    return Role.VILLAGE in acting_roles(user, project.village)


def project_acting_roles(project: Project, user) -> frozenset:
    return acting_roles(user, project.village)
