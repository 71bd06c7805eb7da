"""The panel's rules at their boundaries (default criteria set: pass mark 60, trim from five sheets,
at least three sheets before a decision). Each sheet scores every criterion the same, so its total is
that score: [70] * 4 -> 70.00 points."""
import pytest

from fundtracker.errors import DomainError
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from fundtracker.vetting import services

from .conftest import submit

WAN = 1_000_000


def panel_with_sheets(panel, scores):
    project, members = panel(size=len(scores))
    for member, score in zip(members, scores):
        submit(project, member, [score] * 4)
    return project


def test_five_sheets_drop_the_highest_and_the_lowest(panel):
    project = panel_with_sheets(panel, [40, 70, 70, 70, 70])  # untrimmed mean 64.00
    result = services.panel_result(project)
    assert (result.score_centi, result.trimmed) == (7000, True)


def test_four_sheets_are_not_trimmed(panel):
    project = panel_with_sheets(panel, [40, 70, 70, 70])  # trimmed mean 70.00
    result = services.panel_result(project)
    assert (result.score_centi, result.trimmed) == (6250, False)


def test_a_panel_score_exactly_at_the_pass_mark_passes_without_a_reason(panel, make_funded_pool, approver):
    project = panel_with_sheets(panel, [60, 60, 60])
    assert services.panel_result(project).passed
    pool = make_funded_pool()
    apply_transition(project, Action.APPROVE, approver, TransitionInput(approved_amount_fen=WAN, pool_id=pool.id))
    assert project.status == "approved"


def test_a_decision_needs_three_sheets_two_are_refused(panel, approver):
    project = panel_with_sheets(panel, [80, 80])
    with pytest.raises(DomainError, match="at least 3 needed"):
        apply_transition(project, Action.REJECT, approver, TransitionInput(comment="不符合条件"))
    assert project.status == "vetting"


def test_a_decision_with_three_sheets_is_allowed(panel, approver):
    project = panel_with_sheets(panel, [80, 80, 80])
    apply_transition(project, Action.REJECT, approver, TransitionInput(comment="不符合条件"))
    assert project.status == "rejected"
