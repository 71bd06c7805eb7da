"""What waits for each role in the approval chain, for the home page."""
from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ..auth.roles import Role
from ..extensions import db
from ..main.todo import TodoItem
from .loaders import scoped_projects
from .models import Project, ProjectStatus

# role -> [(label, status, extra condition or None)]
WAITING = {
    Role.VILLAGE: [(_l("Drafts to finish and submit"), ProjectStatus.DRAFT, None),
                   (_l("Applications returned for revision"), ProjectStatus.RETURNED, None)],
    Role.TOWN: [(_l("Applications to review"), ProjectStatus.SUBMITTED, None)],
    Role.APPROVER: [(_l("Projects to send to the county panel"), ProjectStatus.TOWN_PASSED, None),
                    (_l("Decisions to take"), ProjectStatus.VETTING, None),
                    (_l("City filings due"), ProjectStatus.APPROVED, Project.city_filed_on.is_(None))],
}


def counts_select(user, status_condition_pairs):
    """One query for all the role's counts, over the rows of the statuses counted only (a range of
    ix_projects_status_dates, not the whole table)."""
    statuses = list(dict.fromkeys(status for status, _ in status_condition_pairs))  # in a fixed order: one SQL text
    counted = scoped_projects(user).where(Project.status.in_(statuses))
    return counted.with_only_columns(*[
        func.count().filter(Project.status == status, *([condition] if condition is not None else []))
        for status, condition in status_condition_pairs
    ])


def provider_for(role):
    def provide(user) -> list[TodoItem]:
        entries = WAITING[role]
        pairs = [(status, condition) for _, status, condition in entries]
        counts = db.session.execute(counts_select(user, pairs)).one()
        return [TodoItem(label, url_for("projects.library", status=status), count)
                for (label, status, _), count in zip(entries, counts)]

    return provide
