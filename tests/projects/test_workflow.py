"""The transition table, parametrized: every allowed transition works for its roles, every
other role and every other (status, action) pair is refused; and the rules of each action."""
from datetime import date

import pytest
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.pools.services import figures_for
from fundtracker.projects.applications import save_application
from fundtracker.projects.models import ProjectDecision, ProjectEvent, ProjectStatus, ProjectVersion
from fundtracker.projects import workflow
from fundtracker.projects.workflow import (
    MACHINE_NAME,
    TRANSITIONS,
    Action,
    RoleNotAllowed,
    TransitionInput,
    apply_transition,
)
from fundtracker.signals import Hook, connect

from .conftest import WAN, complete_application

ALL_ACTIONS = sorted({action for _, action in TRANSITIONS})


def data_for(action, pool=None):
    return TransitionInput(comment="理由", approved_amount_fen=100 * WAN, pool_id=pool.id if pool else None,
                           filed_on=date(2026, 6, 30), filing_reference="备〔2026〕1号")


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status, action", list(TRANSITIONS))
def test_every_transition_for_every_role(make_project, make_user, make_funded_pool, status, action, role):
    project = make_project(status=status)
    pool = make_funded_pool()
    if status == ProjectStatus.APPROVED:
        project.approved_amount_fen, project.pool_id = 100 * WAN, pool.id
    actor = make_user(role, village=project.village, township=project.village.township)
    expected = TRANSITIONS[(status, action)]
    by_service = expected.by_service
    if role not in expected.roles:
        with pytest.raises(RoleNotAllowed):
            apply_transition(project, action, actor, data_for(action, pool), by_service=by_service)
        return
    event = apply_transition(project, action, actor, data_for(action, pool), by_service=by_service)
    db.session.commit()
    assert project.status == expected.to_status
    assert (event.from_status, event.to_status, event.actor_id) == (status, expected.to_status, actor.id)


@pytest.mark.parametrize("status, action", [key for key, t in TRANSITIONS.items() if t.by_service])
def test_a_transition_taken_by_a_service_has_no_button_and_no_url(make_project, make_user, status, action):
    project = make_project(status=status)
    almighty = make_user(*Role, village=project.village, township=project.village.township)
    assert action not in [a for a, _ in workflow.available_actions(project, almighty)]
    with pytest.raises(DomainError, match="not possible while"):
        apply_transition(project, action, almighty, TransitionInput())


NOT_IN_TABLE = [(status, action) for status in ProjectStatus for action in ALL_ACTIONS
                if (status, action) not in TRANSITIONS]


@pytest.mark.parametrize("status, action", NOT_IN_TABLE)
def test_every_other_status_action_pair_is_refused(make_project, make_user, status, action):
    project = make_project(status=status)
    almighty = make_user(*Role, village=project.village, township=project.village.township)
    with pytest.raises(DomainError, match="not possible while"):
        apply_transition(project, action, almighty, TransitionInput(comment="x"))
    assert db.session.execute(select(func.count(ProjectEvent.id))).scalar_one() == 0


def test_submitting_twice_is_refused(make_project, village_user):
    project = make_project()
    apply_transition(project, Action.SUBMIT, village_user)
    with pytest.raises(DomainError, match="not possible while"):
        apply_transition(project, Action.SUBMIT, village_user)


@pytest.mark.parametrize("changes, message", [
    ({"funding_self_raised_fen": 50 * WAN}, "funding plan adds up to ¥4,500,000.00, not the total investment ¥5,000,000.00"),
    ({"description": " "}, "Describe the project"),
    ({"loan_rate_bp": None}, "rate and term"),
    ({"year_plans": []}, "expected revenue"),
    ({"meeting_votes_for": 20, "meeting_votes_against": 19}, "a majority of the 40 present is needed"),
    ({"meeting_on": None}, "villagers' meeting"),
])
def test_submission_needs_a_complete_consistent_application(make_project, village_user, changes, message):
    project = make_project(**changes)
    with pytest.raises(DomainError, match=message):
        apply_transition(project, Action.SUBMIT, village_user)
    assert project.status == ProjectStatus.DRAFT


@pytest.mark.parametrize("changes, message", [
    ({"end_on": date(2025, 1, 1)}, "end date is before"),
    ({"requested_wan": 600}, "above the total investment"),
    ({"meeting_votes_for": 40, "meeting_votes_against": 5}, "More votes"),
])
def test_inconsistent_drafts_are_not_saved(app, village_user, changes, message):
    with pytest.raises(DomainError, match=message):
        save_application(None, complete_application(**changes), village_id=village_user.village_id, actor=village_user)


def test_returns_need_reasons_and_resubmission_keeps_versions(make_project, village_user, make_user):
    project = make_project()
    town = make_user(Role.TOWN, township=project.village.township)
    apply_transition(project, Action.SUBMIT, village_user)
    with pytest.raises(DomainError, match="reasons"):
        apply_transition(project, Action.TOWN_RETURN, town, TransitionInput(comment="  "))
    apply_transition(project, Action.TOWN_RETURN, town, TransitionInput(comment="补充报价单"))
    save_application(project, complete_application(title="牧场扩建（修改）"), village_id=project.village_id,
                     actor=village_user)
    apply_transition(project, Action.SUBMIT, village_user)
    db.session.commit()
    versions = db.session.execute(select(ProjectVersion).order_by(ProjectVersion.number)).scalars().all()
    assert [(v.number, v.snapshot["title"]) for v in versions] == [(1, "牧场扩建"), (2, "牧场扩建（修改）")]
    with pytest.raises(DomainError, match="only be changed as a draft"):
        save_application(project, complete_application(), village_id=project.village_id, actor=village_user)


def test_approval_commits_pool_money(make_project, make_user, make_funded_pool):
    pool = make_funded_pool(yuan=500 * 10_000)
    project = make_project(status="vetting")
    approver = make_user(Role.APPROVER)
    apply_transition(project, Action.APPROVE, approver, TransitionInput(approved_amount_fen=280 * WAN, pool_id=pool.id))
    db.session.commit()
    figures = figures_for(pool)
    assert (figures.balance_fen, figures.committed_fen, figures.available_fen) == (500 * WAN, 280 * WAN, 220 * WAN)
    decision = db.session.execute(select(ProjectDecision)).scalar_one()
    assert (decision.outcome, decision.approved_amount_fen, decision.pool_id) == ("approve", 280 * WAN, pool.id)


@pytest.mark.parametrize("amount_wan, message", [
    (301, "above the ¥3,000,000.00 the village asked for"),
    (0, "Enter the approved amount"),
])
def test_approval_amount_rules(make_project, make_user, make_funded_pool, amount_wan, message):
    pool = make_funded_pool()
    project = make_project(status="vetting")
    with pytest.raises(DomainError, match=message):
        apply_transition(project, Action.APPROVE, make_user(Role.APPROVER),
                         TransitionInput(approved_amount_fen=amount_wan * WAN, pool_id=pool.id))


def test_approval_beyond_the_available_money_is_refused_with_the_numbers(make_project, make_user, make_funded_pool):
    pool = make_funded_pool(yuan=250 * 10_000)
    project = make_project(status="vetting")
    with pytest.raises(DomainError, match=r"has ¥2,500,000.00 available; ¥3,000,000.00 cannot be committed"):
        apply_transition(project, Action.APPROVE, make_user(Role.APPROVER),
                         TransitionInput(approved_amount_fen=300 * WAN, pool_id=pool.id))


def test_guards_connected_by_other_domains_can_refuse_and_score_the_decision(app, make_project, make_user,
                                                                             make_funded_pool):
    calls = []

    def gate(project, action, actor, data):
        calls.append((project.id, action, data.comment))
        if action == Action.REJECT:
            raise DomainError("panel not complete")

    connect(app, Hook.TRANSITION_GUARD, gate, key=MACHINE_NAME)
    connect(app, Hook.DECISION_BASIS, lambda project: {"panel_score_centi": 7825, "panel_round": 2})
    project = make_project(status="vetting")
    approver = make_user(Role.APPROVER)
    with pytest.raises(DomainError, match="panel not complete"):
        apply_transition(project, Action.REJECT, approver, TransitionInput(comment="no"))
    pool = make_funded_pool()
    apply_transition(project, Action.APPROVE, approver, TransitionInput(approved_amount_fen=WAN, pool_id=pool.id))
    assert db.session.execute(select(ProjectDecision.panel_score_centi)).scalar_one() == 7825
    assert calls[-1] == (project.id, "approve", "")


def test_city_filing_once_with_date_and_reference(make_project, make_user, make_funded_pool):
    project = make_project(status="approved")
    pool = make_funded_pool()
    project.approved_amount_fen, project.pool_id = WAN, pool.id
    approver = make_user(Role.APPROVER)
    with pytest.raises(DomainError, match="filing date"):
        apply_transition(project, Action.FILE_WITH_CITY, approver, TransitionInput())
    apply_transition(project, Action.FILE_WITH_CITY, approver, data_for(Action.FILE_WITH_CITY))
    assert project.city_filing_reference == "备〔2026〕1号" and project.status == "approved"
    with pytest.raises(DomainError, match="not possible"):
        apply_transition(project, Action.FILE_WITH_CITY, approver, data_for(Action.FILE_WITH_CITY))
