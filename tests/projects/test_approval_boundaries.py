"""Approval commits money from a pool: exactly the available money can be committed, not a fen more.
Driven through the real decision path, with a complete county panel (the vetting gate stays in force)."""
import pytest
from sqlalchemy import select

from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.services import figures_for
from fundtracker.projects.models import Project, ProjectDecision
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition

from ..vetting.conftest import approver, panel, reviewers, submit  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def chain_without_the_panel():
    """Overrides the package's fixture of that name, which takes the panel's gate off: these approvals
    go through it (the decision's panel score below shows it ran)."""


@pytest.fixture
def vetted_project_and_pool(panel, make_funded_pool):
    """A project with a complete, passing panel (requested ¥3,000,000) and a pool of ¥1,000,000."""
    project, members = panel(size=3)
    for member in members:
        submit(project, member, [80] * 4)
    pool = make_funded_pool(yuan=1_000_000)
    return project, pool


def test_approving_exactly_the_available_money_is_allowed(vetted_project_and_pool, approver):
    project, pool = vetted_project_and_pool
    available = figures_for(pool).available_fen
    apply_transition(project, Action.APPROVE, approver, TransitionInput(approved_amount_fen=available, pool_id=pool.id))
    db.session.commit()
    decision = db.session.execute(select(ProjectDecision)).scalar_one()
    assert (decision.approved_amount_fen, decision.panel_score_centi) == (available, 8000)
    assert figures_for(pool).available_fen == 0


def test_approving_one_fen_more_than_available_is_refused(vetted_project_and_pool, approver):
    project, pool = vetted_project_and_pool
    available = figures_for(pool).available_fen
    with pytest.raises(DomainError, match="available; .* cannot be committed"):
        apply_transition(project, Action.APPROVE, approver,
                         TransitionInput(approved_amount_fen=available + 1, pool_id=pool.id))
    db.session.rollback()  # as the request handler does on a DomainError
    assert db.session.get(Project, project.id).status == "vetting"
    assert db.session.execute(select(ProjectDecision)).first() is None
    assert figures_for(pool).available_fen == available
