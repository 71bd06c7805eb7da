"""Panel rules: assignment, declarations, sheets, the aggregate with recusals, the decision gate."""
import pytest
from sqlalchemy import select

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects.models import ProjectDecision
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from fundtracker.vetting import services

from .conftest import submit

WAN = 1_000_000


def test_assignment_rules(make_project, reviewers, approver, make_user):
    draft = make_project(status="draft")
    with pytest.raises(DomainError, match="township has passed"):
        services.assign_reviewer(draft, reviewers[0], approver)
    project = make_project(status="town_passed")
    services.assign_reviewer(project, reviewers[0], approver)
    with pytest.raises(DomainError, match="already on the panel"):
        services.assign_reviewer(project, reviewers[0], approver)
    with pytest.raises(DomainError, match="county reviewers"):
        services.assign_reviewer(project, make_user(Role.FINANCE), approver)
    assert services.vetting_for(project).criteria_set.name == services.DEFAULT_SET_NAME


def test_missing_core_departments_are_named(make_project, reviewers, approver):
    project = make_project(status="vetting")
    members = [services.assign_reviewer(project, r, approver) for r in reviewers[:2]]
    assert services.missing_core_departments(members) == ["agriculture", "task_force"]


def test_declarations(panel, make_project, reviewers, approver):
    project = make_project(status="vetting")
    member = services.assign_reviewer(project, reviewers[0], approver)
    with pytest.raises(DomainError, match="their own declaration"):
        services.declare(member, recuse=False, reason="", actor=reviewers[1])
    with pytest.raises(DomainError, match="reason for the recusal"):
        services.declare(member, recuse=True, reason=" ", actor=reviewers[0])
    services.declare(member, recuse=True, reason="亲属在该村", actor=reviewers[0])
    with pytest.raises(DomainError, match="made already"):
        services.declare(member, recuse=False, reason="", actor=reviewers[0])
    with pytest.raises(DomainError, match="recused yourself"):
        submit(project, member, [80, 80, 80, 80])


def sheet(project, scores, recommendation="approve"):
    criteria = services.vetting_for(project).criteria_set.criteria
    return services.SheetInput(scores={c.id: s for c, s in zip(criteria, scores)}, comments={},
                               recommendation=recommendation)


@pytest.mark.parametrize("scores, message", [
    ([101, 80, 80, 80], "0 to 100"),
    ([-1, 80, 80, 80], "0 to 100"),
    ([True, 80, 80, 80], "0 to 100"),
    ([80, None, 80, 80], "missing"),
])
def test_bad_scores_are_refused(panel, scores, message):
    project, members = panel(size=1)
    with pytest.raises(DomainError, match=message):
        services.save_sheet(project, sheet(project, scores), submit=True, actor=members[0].reviewer)


def test_only_members_who_declared_can_score_and_submitted_sheets_are_locked(panel, make_project, reviewers, approver):
    project, members = panel(size=1)
    with pytest.raises(DomainError, match="Only members"):
        services.save_sheet(project, sheet(project, [80] * 4), submit=False, actor=reviewers[3])
    undeclared = services.assign_reviewer(project, reviewers[4], approver)
    with pytest.raises(DomainError, match="Declare"):
        services.save_sheet(project, sheet(project, [80] * 4), submit=False, actor=undeclared.reviewer)
    services.save_sheet(project, sheet(project, [80, 70, None, None], None), submit=False, actor=members[0].reviewer)
    with pytest.raises(DomainError, match="recommendation"):
        services.save_sheet(project, sheet(project, [80] * 4, None), submit=True, actor=members[0].reviewer)
    submitted = submit(project, members[0], [80, 70, 90, 73])
    assert submitted.total_centi == 7825
    with pytest.raises(DomainError, match="locked"):
        services.save_sheet(project, sheet(project, [10] * 4), submit=False, actor=members[0].reviewer)


def test_panel_result_excludes_recusals_and_trims_at_five(panel, approver, reviewers):
    project, members = panel(size=6)
    for member, score in zip(members[:5], [60, 70, 80, 90, 100]):
        submit(project, member, [score] * 4)
    result = services.panel_result(project)
    assert (result.submitted, result.pending, result.score_centi, result.trimmed) == (5, 1, 8000, True)
    assert result.spread and not result.complete
    assert result.criterion_means_centi == {c.id: 8000 for c in services.vetting_for(project).criteria_set.criteria}


def test_the_decision_waits_for_a_complete_panel(panel, make_funded_pool, approver):
    project, members = panel(size=4)
    pool = make_funded_pool()
    approve = TransitionInput(approved_amount_fen=100 * WAN, pool_id=pool.id)
    submit(project, members[0], [80] * 4)
    submit(project, members[1], [70] * 4)
    with pytest.raises(DomainError, match="2 member\\(s\\) still to submit or recuse, 2 sheet\\(s\\) in"):
        apply_transition(project, Action.APPROVE, approver, approve)
    member = members[2]
    member.declaration = "recused"
    member.recusal_reason = "亲属"
    db.session.commit()
    with pytest.raises(DomainError, match="1 member\\(s\\).*2 sheet\\(s\\) in"):
        apply_transition(project, Action.REJECT, approver, TransitionInput(comment="no"))
    submit(project, members[3], [90] * 4)
    apply_transition(project, Action.APPROVE, approver, approve)
    db.session.commit()
    decision = db.session.execute(select(ProjectDecision)).scalar_one()
    assert (decision.outcome, decision.panel_score_centi) == ("approve", 8000)


def test_approving_below_the_pass_mark_needs_a_reason(panel, make_funded_pool, approver):
    project, members = panel(size=3)
    for member in members:
        submit(project, member, [50, 55, 60, 50], "reject")
    pool = make_funded_pool()
    with pytest.raises(DomainError, match="below the pass mark of 60"):
        apply_transition(project, Action.APPROVE, approver, TransitionInput(approved_amount_fen=WAN, pool_id=pool.id))
    apply_transition(project, Action.APPROVE, approver,
                     TransitionInput(approved_amount_fen=WAN, pool_id=pool.id, comment="县委决定作为试点"))
    assert db.session.execute(select(ProjectDecision.panel_score_centi)).scalar_one() == 5375


def test_without_a_panel_there_is_no_decision_but_a_return_is_possible(make_project, approver):
    project = make_project(status="vetting")
    with pytest.raises(DomainError, match="Assign the county panel first"):
        apply_transition(project, Action.REJECT, approver, TransitionInput(comment="no"))
    apply_transition(project, Action.RETURN, approver, TransitionInput(comment="材料不全"))
    assert project.status == "returned"


def test_a_used_criteria_set_is_frozen_and_edits_make_a_new_version(panel, make_user):
    admin = make_user(Role.ADMIN)
    project, members = panel(size=1)
    used = services.vetting_for(project).criteria_set
    with pytest.raises(DomainError, match="add up to 90"):
        services.save_criteria_set(used, name=used.name, pass_mark=60, trim_from_sheets=5, spread_threshold=20,
                                   criteria=[services.CriterionInput("a", "", 45), services.CriterionInput("b", "", 45)],
                                   actor=admin)
    new = services.save_criteria_set(used, name=used.name, pass_mark=65, trim_from_sheets=5, spread_threshold=15,
                                     criteria=[services.CriterionInput("前景", "", 40), services.CriterionInput("收益", "", 60)],
                                     actor=admin)
    db.session.commit()
    assert (new.version, new.active, used.superseded, used.active) == (2, True, True, False)
    assert [c.weight for c in used.criteria] == [25, 25, 25, 25]
    assert services.vetting_for(project).criteria_set_id == used.id


def test_the_panel_sets_the_final_risk_grade_with_a_reason(panel, reviewers, approver):
    project, members = panel(size=2)
    with pytest.raises(DomainError, match="reason"):
        services.set_final_risk_grade(project, "high", "", members[0].reviewer)
    services.set_final_risk_grade(project, "high", "养殖疫病风险高于测算", members[0].reviewer)
    assert services.vetting_for(project).final_risk_grade == "high"
    with pytest.raises(DomainError, match="Only the panel"):
        services.set_final_risk_grade(project, "low", "x", reviewers[5])
    services.set_final_risk_grade(project, "", "", approver)
    assert services.vetting_for(project).final_risk_grade is None
