"""Returns and distribution plans: one record per period, corrections, the share rules, the
plan machine over (state, action, role), quorum and notice, and the hypothesis on acceptance."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from fundtracker.auth.roles import Role
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.returns import services
from fundtracker.returns.distribution import (
    TRANSITIONS,
    PlanAction,
    PlanStep,
    apply_plan_action,
    quorum_problem,
    record_objection,
)
from fundtracker.returns.models import DistributionPlan, PlanStatus, ReturnRecord
from fundtracker.returns.services import PlanInput, ShareRules, plan_problems
from fundtracker.statemachine import ActionNotOpen, RoleNotAllowed

from .conftest import WAN, parts, report


def test_one_record_per_period_and_a_correction_supersedes_with_a_reason(operating, village_user):
    project = operating()
    first = report(project, village_user, 2025, 100, 60)
    with pytest.raises(DomainError, match="already reported"):
        report(project, village_user, 2025, 100, 50)
    db.session.rollback()
    with pytest.raises(DomainError, match="reason for the correction"):
        report(project, village_user, 2025, 100, 50, supersedes=first)
    db.session.rollback()
    second = report(project, village_user, 2025, 100, 50, supersedes=first, reason="成本重复计入")
    assert (second.version, second.net_fen) == (2, 50 * WAN)
    assert [r.id for r in services.in_force_records(project.id)] == [second.id]
    assert db.session.execute(select(func.count(ReturnRecord.id))).scalar_one() == 2
    with pytest.raises(DomainError, match="record in force"):
        report(project, village_user, 2025, 100, 40, supersedes=first, reason="again")


@pytest.mark.parametrize("kind, month, message", [
    ("quarter", 4, "overlaps"),        # a quarter inside a reported year
    ("month", 12, "overlaps"),
    ("quarter", 2, "first day of a month, of a quarter"),
    ("year", 3, "first day of a month, of a quarter"),
])
def test_periods_do_not_overlap_and_start_where_periods_start(operating, village_user, kind, month, message):
    project = operating()
    report(project, village_user, 2025, 100, 60)
    with pytest.raises(DomainError, match=message):
        report(project, village_user, 2025, 10, 6, kind=kind, month=month)


def test_a_period_not_yet_over_and_negative_figures_are_refused(operating, village_user):
    project = operating()
    with pytest.raises(DomainError, match="has not ended yet"):
        report(project, village_user, 2099, 100, 60)
    with pytest.raises(DomainError, match="cannot be negative"):
        services.record_return(project, services.ReturnInput("year", date(2025, 1, 1), -1, 0), actor=village_user)


def test_only_the_projects_own_village_reports(operating, make_user, make_village):
    project = operating()
    with pytest.raises(DomainError, match="own village collective"):
        report(project, make_user(Role.VILLAGE, village=make_village()), 2025, 100, 60)
    with pytest.raises(DomainError, match="own village collective"):
        report(project, make_user(Role.APPROVER), 2025, 100, 60)


@pytest.mark.parametrize("plan, message", [
    (parts(40, collective=29, dividends=41), "at least 30.0%"),
    (parts(40, collective=30, dividends=39, reinvestment=20, risk=10), "add up to"),
    (parts(40, households=0), "number of households"),
])
def test_plans_that_break_a_rule_are_refused(operating, village_user, plan, message):
    project = operating()
    record = report(project, village_user, 2025, 100, 60)
    with pytest.raises(DomainError, match=message):
        services.draft_plan(project, record, plan, actor=village_user)


def test_a_loss_or_money_that_earlier_losses_did_not_earn_back_is_not_distributed(operating, village_user):
    project = operating()
    loss = report(project, village_user, 2023, 50, 80)
    with pytest.raises(DomainError, match="a loss is never distributed"):
        services.draft_plan(project, loss, parts(30), actor=village_user)
    after_loss = report(project, village_user, 2024, 100, 80)   # +20 after −30: cumulative −10
    with pytest.raises(DomainError, match="borrowed money never"):
        services.draft_plan(project, after_loss, parts(20), actor=village_user)
    good = report(project, village_user, 2025, 100, 60)          # +40: cumulative 30 < 40
    with pytest.raises(DomainError, match="borrowed money never"):
        services.draft_plan(project, good, parts(40), actor=village_user)
    report(project, village_user, 2022, 100, 60)                 # an earlier +40: cumulative through 2025 is 70
    assert services.draft_plan(project, good, parts(40), actor=village_user).net_fen == 40 * WAN


def test_the_pools_rules_apply_to_its_projects(operating, village_user, make_funded_pool, make_user):
    pool = make_funded_pool()
    project = operating()
    project.pool_id, project.approved_amount_fen = pool.id, 100 * WAN
    services.save_rules(pool.id, ShareRules(4000, 1000, 3000), actor=make_user(Role.APPROVER))
    db.session.commit()
    record = report(project, village_user, 2025, 100, 60)
    with pytest.raises(DomainError, match="at least 40.0%"):
        services.draft_plan(project, record, parts(40), actor=village_user)
    with pytest.raises(DomainError, match="at most 30.0%"):
        services.draft_plan(project, record, parts(40, collective=40, dividends=40, reinvestment=10, risk=10),
                            actor=village_user)
    services.draft_plan(project, record, parts(40, collective=40, dividends=30, reinvestment=20, risk=10),
                        actor=village_user)


def test_one_live_plan_per_period_and_a_planned_period_is_not_corrected(operating, village_user):
    project = operating()
    record = report(project, village_user, 2025, 100, 60)
    plan = services.draft_plan(project, record, parts(40), actor=village_user)
    db.session.commit()
    with pytest.raises(DomainError, match="already has a distribution plan"):
        services.draft_plan(project, record, parts(40), actor=village_user)
    with pytest.raises(DomainError, match="withdraw the plan"):
        report(project, village_user, 2025, 100, 50, supersedes=record, reason="更正")
    db.session.rollback()
    apply_plan_action(plan, PlanAction.WITHDRAW, village_user, PlanStep(comment="收入有误"))
    report(project, village_user, 2025, 100, 50, supersedes=record, reason="更正")


# --- hypothesis: accepted exactly when the parts add up and every share rule holds -----------------------

RULES = ShareRules(min_collective_bp=3000, min_risk_reserve_bp=500, max_dividend_bp=5000)
amounts = st.integers(min_value=0, max_value=10**9)


@given(net=st.integers(min_value=1, max_value=10**9), collective=amounts, dividends=amounts, reinvestment=amounts,
       risk=amounts, loan=amounts, households=st.integers(min_value=0, max_value=500), exact=st.booleans())
def test_a_plan_is_accepted_exactly_when_it_adds_up_and_keeps_every_share_rule(
        app, net, collective, dividends, reinvestment, risk, loan, households, exact):
    if exact:  # make the parts add up: the rest goes to reinvestment when it can
        reinvestment = net - collective - dividends - risk - loan
        if reinvestment < 0:
            collective, dividends, risk, loan, reinvestment = net, 0, 0, 0, 0
    data = PlanInput(collective, dividends, households, reinvestment, risk, loan)
    expected = (collective + dividends + reinvestment + risk + loan == net
                and collective * 10_000 >= net * 3_000 and risk * 10_000 >= net * 500
                and dividends * 10_000 <= net * 5_000 and (dividends == 0 or households > 0))
    assert (plan_problems(net, net, data, RULES) == []) is expected


@given(net=st.integers(min_value=-10**9, max_value=0))
def test_a_loss_is_never_accepted(app, net):
    assert plan_problems(net, 10**10, PlanInput(), RULES)


# --- quorum and the plan machine -------------------------------------------------------------------------

@pytest.mark.parametrize("expected, present, votes, problem", [
    (45, 30, (16, 10, 4), None),            # two thirds exactly; 16 of 30 is a majority
    (45, 29, (20, 5, 4), "No quorum"),
    (45, 30, (15, 10, 5), "Not adopted"),   # half is not a majority
    (45, 30, (20, 10, 1), "More votes"),
    (45, 46, (30, 10, 1), "More people present"),
    (45, None, (20, 5, 4), "Enter the meeting"),
])
def test_the_quorum(expected, present, votes, problem, app):
    found = quorum_problem(expected, present, *votes)
    assert (found is None) if problem is None else (problem in str(found))


ROLES = [Role.VILLAGE, Role.TOWN, Role.APPROVER, Role.FINANCE]
STEP = PlanStep(comment="理由", meeting_on=date(2026, 1, 18), attendance_expected=45, attendance_present=38,
                votes_for=35, votes_against=1, votes_abstain=2, notice_starts_on=date(2026, 1, 20),
                paid_on=date(2026, 2, 10), payment_reference="代发 001")
CASES = [(status, action, role) for status in PlanStatus for action in PlanAction
         for role in (ROLES if (status, action) in TRANSITIONS else [Role.VILLAGE])]


@pytest.fixture
def plan_in(operating, village_user):
    def factory(status):
        project = operating()
        record = report(project, village_user, 2025, 100, 60)
        plan = services.draft_plan(project, record, parts(40), actor=village_user)
        plan.status = status
        plan.meeting_on = date(2026, 1, 18)
        plan.notice_starts_on, plan.notice_ends_on = date(2026, 1, 20), date(2026, 1, 29)
        db.session.commit()
        return plan

    return factory


@pytest.mark.parametrize("status, action, role", CASES)
def test_the_plan_table_over_state_action_role(plan_in, make_user, village_user, status, action, role):
    plan = plan_in(status)
    actor = village_user if role == Role.VILLAGE else make_user(
        role, **({"township": plan.project.village.township} if role == Role.TOWN else {}))
    transition = TRANSITIONS.get((status, action))
    if transition is None:
        with pytest.raises(ActionNotOpen):
            apply_plan_action(plan, action, actor, STEP)
    elif role not in transition.roles:
        with pytest.raises(RoleNotAllowed):
            apply_plan_action(plan, action, actor, STEP)
    else:
        event = apply_plan_action(plan, action, actor, STEP)
        assert plan.status == transition.to_status == event.to_status


def test_a_meeting_without_quorum_changes_nothing(plan_in, village_user):
    plan = plan_in(PlanStatus.DRAFTED)
    with pytest.raises(DomainError, match="No quorum"):
        apply_plan_action(plan, PlanAction.ADOPT, village_user, PlanStep(
            meeting_on=date(2026, 1, 18), attendance_expected=45, attendance_present=20, votes_for=20,
            votes_against=0, votes_abstain=0))
    assert plan.status == PlanStatus.DRAFTED and plan.attendance_present is None


def test_the_notice_runs_its_period_before_the_payout(app, plan_in, village_user):
    plan = plan_in(PlanStatus.ADOPTED)
    apply_plan_action(plan, PlanAction.PUBLISH, village_user, PlanStep(notice_starts_on=date(2026, 2, 1)))
    assert plan.notice_ends_on == date(2026, 2, 10)  # ten days, the setting's default
    with pytest.raises(DomainError, match="notice runs until 2026-02-10"):
        apply_plan_action(plan, PlanAction.PAY_OUT, village_user, PlanStep(paid_on=date(2026, 2, 10),
                                                                           payment_reference="x"))
    with pytest.raises(DomainError, match="raised during the notice"):
        record_objection(plan, raised_on=date(2026, 2, 11), objection="?", answer="!", actor=village_user)
    record_objection(plan, raised_on=date(2026, 2, 5), objection="分红标准？", answer="按章程。", actor=village_user)
    apply_plan_action(plan, PlanAction.PAY_OUT, village_user, PlanStep(paid_on=date(2026, 2, 11),
                                                                       payment_reference="代发 001"))
    assert (plan.status, plan.paid_on) == (PlanStatus.PAID, date(2026, 2, 11))
    assert db.session.execute(select(DistributionPlan.status)).scalar_one() == "paid"


EXPECTED_PLAN_TABLE = {
    ("drafted", "adopt"): "adopted", ("drafted", "withdraw"): "withdrawn",
    ("adopted", "publish"): "published", ("published", "pay_out"): "paid",
}


def test_the_plan_table_is_the_one_agreed():
    assert {(str(s), str(a)): str(t.to_status) for (s, a), t in TRANSITIONS.items()} == EXPECTED_PLAN_TABLE
    assert all(t.roles == {Role.VILLAGE} for t in TRANSITIONS.values())


@pytest.mark.parametrize("data, accepted", [
    (PlanInput(collective_fen=3_000, dividends_fen=5_000, households=1, risk_reserve_fen=500,
               reinvestment_fen=1_500), True),                     # every share exactly at its bound
    (PlanInput(collective_fen=2_999, dividends_fen=5_000, households=1, risk_reserve_fen=500,
               reinvestment_fen=1_501), False),                    # one fen under the collective minimum
    (PlanInput(collective_fen=3_000, dividends_fen=5_001, households=1, risk_reserve_fen=500,
               reinvestment_fen=1_499), False),                    # one fen over the dividend maximum
    (PlanInput(collective_fen=3_000, dividends_fen=5_000, households=1, risk_reserve_fen=499,
               reinvestment_fen=1_501), False),                    # one fen under the risk reserve minimum
    (PlanInput(collective_fen=5_001, dividends_fen=4_000, households=1, risk_reserve_fen=1_000,
               reinvestment_fen=-1), False),                       # a negative part that the others make up
])
def test_the_share_rules_at_their_bounds(app, data, accepted):
    assert (plan_problems(10_000, 10_000, data, RULES) == []) is accepted
