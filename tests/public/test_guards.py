"""The notice guard (setting NOTICE_REQUIRED_BEFORE_NEXT_STEP, default off): approval waits for the
application's notice, a payment's approval for the approval's notice, a distribution's payout for its
notice — each until the notice has ended with every objection answered."""
from datetime import date

import pytest

from fundtracker.auth.roles import Role
from fundtracker.disbursements import services as payments
from fundtracker.errors import DomainError
from fundtracker.extensions import db
from fundtracker.projects.workflow import Action, TransitionInput, apply_transition
from fundtracker.public.models import NoticeKind
from fundtracker.public.notices import answer_objection, file_objection
from fundtracker.returns import services as returns
from fundtracker.returns.distribution import PlanAction, PlanStep, apply_plan_action

from ..disbursements.conftest import approved_project, people, prepared_payment  # noqa: F401

WAN = 10_000 * 100


@pytest.fixture
def guarded(app):
    app.config["NOTICE_REQUIRED_BEFORE_NEXT_STEP"] = True


def approve(project, approver, pool):
    return apply_transition(project, Action.APPROVE, approver,
                            TransitionInput(approved_amount_fen=100 * WAN, pool_id=pool.id))


def test_without_the_setting_nothing_waits(app, make_project, make_funded_pool, approver):
    project = make_project(status="vetting")
    approve(project, approver, make_funded_pool())
    assert project.status == "approved"


def test_approval_waits_for_the_application_notice(app, guarded, make_project, make_funded_pool, make_notice,
                                                   approver, make_user):
    project, pool = make_project(status="vetting"), make_funded_pool()
    decider = make_user(Role.APPROVER, username="decider")
    with pytest.raises(DomainError, match="Publish the application for notice before the approval"):
        approve(project, decider, pool)
    running = make_notice(project, kind=NoticeKind.APPLICATION)
    with pytest.raises(DomainError, match=f"The notice runs until {running.ends_on.isoformat()}"):
        approve(project, decider, pool)
    running.starts_on = date(2020, 1, 1)  # the period has since ended, without objections
    db.session.commit()
    approve(project, decider, pool)
    assert project.status == "approved"


def test_an_unanswered_objection_holds_the_approval_until_answered(app, guarded, make_project, make_funded_pool,
                                                                   make_notice, approver, make_user):
    project, pool = make_project(status="vetting"), make_funded_pool()
    decider = make_user(Role.APPROVER, username="decider")
    notice = make_notice(project, kind=NoticeKind.APPLICATION, days_ago=3)
    objection = file_objection(notice, text_="用地有争议", contact="", address="x")
    notice.starts_on = date(2020, 1, 1)  # the period has since ended
    db.session.commit()
    with pytest.raises(DomainError, match="objections without an answer"):
        approve(project, decider, pool)
    assert project.status == "vetting"
    answer_objection(objection, "已核实，无争议。", actor=approver)
    approve(project, decider, pool)
    assert project.status == "approved"


def test_a_payment_waits_for_the_approval_notice(app, guarded, people, approved_project, make_notice):
    project = approved_project()
    payment = prepared_payment(project, people)
    with pytest.raises(DomainError, match="Publish the approval for notice before the payment"):
        payments.decide_payment(payment, payments.PaymentAction.APPROVE, actor=people["checker"])
    notice = make_notice(project, kind=NoticeKind.APPROVAL)
    with pytest.raises(DomainError, match="this step waits until it has ended"):
        payments.decide_payment(payment, payments.PaymentAction.APPROVE, actor=people["checker"])
    notice.starts_on = date(2020, 1, 1)
    db.session.commit()
    payments.decide_payment(payment, payments.PaymentAction.APPROVE, actor=people["checker"])
    assert payment.status == "approved"


def test_a_payout_waits_for_the_answers_to_the_distribution_notice(app, guarded, make_project, village_user,
                                                                   approver):
    project = make_project(status="operating")
    record = returns.record_return(project, returns.ReturnInput("year", date(2024, 1, 1), 100 * WAN, 60 * WAN),
                                   actor=village_user)
    plan = returns.draft_plan(project, record, returns.PlanInput(
        collective_fen=12 * WAN, dividends_fen=16 * WAN, households=100, reinvestment_fen=8 * WAN,
        risk_reserve_fen=4 * WAN), actor=village_user)
    apply_plan_action(plan, PlanAction.ADOPT, village_user, PlanStep(
        meeting_on=date(2025, 1, 10), attendance_expected=30, attendance_present=25, votes_for=20, votes_against=3,
        votes_abstain=2))
    apply_plan_action(plan, PlanAction.PUBLISH, village_user, PlanStep(notice_starts_on=date(2025, 1, 12)))
    notice = plan_notice(plan)
    notice.starts_on = date.today()
    objection = file_objection(notice, text_="分红户数不对", contact="", address="x")
    notice.starts_on = date(2025, 1, 12)
    db.session.commit()
    payout = PlanStep(paid_on=date(2025, 3, 1), payment_reference="代发 01")
    with pytest.raises(DomainError, match="objections without an answer"):
        apply_plan_action(plan, PlanAction.PAY_OUT, village_user, payout)
    answer_objection(objection, "已按花名册核对。", actor=approver)
    apply_plan_action(plan, PlanAction.PAY_OUT, village_user, payout)
    assert plan.status == "paid"


def plan_notice(plan):
    from sqlalchemy import select

    from fundtracker.public.models import Notice

    return db.session.execute(select(Notice).where(Notice.distribution_plan_id == plan.id)).scalar_one()
