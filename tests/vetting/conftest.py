import pytest

from fundtracker.auth.roles import Department, Role
from fundtracker.extensions import db
from fundtracker.vetting import services

from ..projects.conftest import make_funded_pool, make_project, village_user  # noqa: F401  (shared fixtures)

DEPARTMENTS = [Department.ORGANISATION, Department.FINANCE, Department.AGRICULTURE, Department.TASK_FORCE,
               Department.OTHER, Department.OTHER]


@pytest.fixture
def approver(make_user):
    return make_user(Role.APPROVER, username="lead")


@pytest.fixture
def reviewers(make_user):
    return [make_user(Role.REVIEWER, username=f"reviewer{n}", department=d) for n, d in enumerate(DEPARTMENTS)]


@pytest.fixture
def panel(make_project, reviewers, approver):
    """A project in vetting with a panel of n reviewers, all declared free of conflict."""
    def factory(size=4, **project_fields):
        project = make_project(status="vetting", **project_fields)
        members = [services.assign_reviewer(project, reviewer, approver) for reviewer in reviewers[:size]]
        for member in members:
            services.declare(member, recuse=False, reason="", actor=member.reviewer)
        db.session.commit()
        return project, members

    return factory


def submit(project, member, scores, recommendation="approve"):
    criteria = services.vetting_for(project).criteria_set.criteria
    sheet = services.save_sheet(project, services.SheetInput(
        scores={c.id: s for c, s in zip(criteria, scores)}, comments={}, recommendation=recommendation),
        submit=True, actor=member.reviewer)
    db.session.commit()
    return sheet
