"""The demo tells one consistent story: one lender name per loan, each project drafted and submitted by
its own village's collective."""
import pytest
from sqlalchemy import select

from fundtracker.auth.models import User
from fundtracker.extensions import db
from fundtracker.pools.models import Contribution, SourceType
from fundtracker.projects.models import Project, ProjectEvent


@pytest.fixture
def demo(app):
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    return app


def test_one_lender_name_per_loan(demo):
    loans = db.session.execute(select(Contribution).where(Contribution.source_type == SourceType.LOAN)).scalars().all()
    assert loans and all(loan.contributor == loan.lender for loan in loans)


def test_each_project_is_drafted_and_submitted_by_its_own_village(demo):
    for project in db.session.execute(select(Project)).scalars():
        assert db.session.get(User, project.created_by_id).village_id == project.village_id, project.title
        submitters = db.session.execute(select(ProjectEvent.actor_id).where(
            ProjectEvent.project_id == project.id, ProjectEvent.action == "submit")).scalars().all()
        assert all(db.session.get(User, actor).village_id == project.village_id for actor in submitters), project.title
