"""A distribution plan's life as one table on the core state machine: drafted → adopted by the
members' (representatives') meeting with a quorum (two thirds present, a majority of those present
for it; 村民委员会组织法 第二十六条) → published for the notice period (公示; objections recorded with
their answers) → paid out after the notice, with the date and the reference. A draft may be
withdrawn with a reason. Every step is the village collective's, for its own village."""
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import refuse_future_date
from ..errors import DomainError
from ..extensions import db
from ..meetings import quorum_problem
from ..statemachine import StateMachine, Transition, TransitionData
from .models import PLAN_STATUS_LABELS, DistributionEvent, DistributionPlan, Objection, PlanStatus

P = PlanStatus
MACHINE_NAME = "distribution"


class PlanAction(StrEnum):
    ADOPT = "adopt"
    PUBLISH = "publish"
    PAY_OUT = "pay_out"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class PlanStep(TransitionData):
    meeting_on: date | None = None
    attendance_expected: int | None = None
    attendance_present: int | None = None
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    notice_starts_on: date | None = None
    paid_on: date | None = None
    payment_reference: str = ""


def _meeting_adopted(plan, action, actor, data: PlanStep) -> None:
    if data.meeting_on is None:
        raise DomainError(_l("Enter the date of the meeting."), field="meeting_on")
    refuse_future_date(data.meeting_on, "meeting_on")
    problem = quorum_problem(data.attendance_expected, data.attendance_present, data.votes_for, data.votes_against,
                             data.votes_abstain)
    if problem:
        raise DomainError(problem, field="attendance_present")


def _record_meeting(plan, action, actor, data: PlanStep) -> None:
    plan.meeting_on, plan.attendance_expected, plan.attendance_present = (
        data.meeting_on, data.attendance_expected, data.attendance_present)
    plan.votes_for, plan.votes_against, plan.votes_abstain = data.votes_for, data.votes_against, data.votes_abstain


def _notice_start(plan, action, actor, data: PlanStep) -> None:
    if data.notice_starts_on is None:
        raise DomainError(_l("Enter the first day of the notice."), field="notice_starts_on")
    refuse_future_date(data.notice_starts_on, "notice_starts_on")
    if plan.meeting_on and data.notice_starts_on < plan.meeting_on:
        raise DomainError(_l("The notice starts after the meeting that adopted the plan."), field="notice_starts_on")


def _record_notice(plan, action, actor, data: PlanStep) -> None:
    days = current_app.config["DISTRIBUTION_NOTICE_DAYS"]
    plan.notice_starts_on = data.notice_starts_on
    plan.notice_ends_on = data.notice_starts_on + timedelta(days=days - 1)


def _notice_over(plan, action, actor, data: PlanStep) -> None:
    if data.paid_on is None or not data.payment_reference.strip():
        raise DomainError(_l("Enter the payment date and its reference."), field="paid_on")
    refuse_future_date(data.paid_on, "paid_on")
    if data.paid_on <= plan.notice_ends_on:
        raise DomainError(_l("The notice runs until %(date)s; pay out after it.",
                             date=plan.notice_ends_on.isoformat()), field="paid_on")


def _record_payment(plan, action, actor, data: PlanStep) -> None:
    plan.paid_on, plan.payment_reference = data.paid_on, data.payment_reference.strip()[:100]


def _t(to_status, label, guards=(), effects=(), needs_reason=False):
    return Transition(to_status, frozenset({Role.VILLAGE}), label, tuple(guards), tuple(effects), needs_reason)


TRANSITIONS: dict[tuple[PlanStatus, PlanAction], Transition] = {
    (P.DRAFTED, PlanAction.ADOPT): _t(P.ADOPTED, _l("Record the meeting's adoption"), guards=[_meeting_adopted],
                                      effects=[_record_meeting]),
    (P.DRAFTED, PlanAction.WITHDRAW): _t(P.WITHDRAWN, _l("Withdraw the draft"), needs_reason=True),
    (P.ADOPTED, PlanAction.PUBLISH): _t(P.PUBLISHED, _l("Publish for notice"), guards=[_notice_start],
                                        effects=[_record_notice]),
    (P.PUBLISHED, PlanAction.PAY_OUT): _t(P.PAID, _l("Record the payout"), guards=[_notice_over],
                                          effects=[_record_payment]),
}


def _timeline_entry(plan, action, from_status, to_status, comment, actor) -> DistributionEvent:
    return DistributionEvent(plan_id=plan.id, action=action, from_status=from_status, to_status=to_status,
                             comment=comment, actor_id=actor.id)


PLAN_MACHINE = StateMachine(
    name=MACHINE_NAME, transitions=TRANSITIONS, status_labels=PLAN_STATUS_LABELS, record_event=_timeline_entry,
    acting_roles=lambda plan, user: acting_roles(user, plan.project.village),
    describe=lambda plan: f"{plan.project.title} #{plan.id}",
)


def available_actions(plan: DistributionPlan, user):
    return PLAN_MACHINE.available(plan, user)


def apply_plan_action(plan: DistributionPlan, action, actor, data: PlanStep = PlanStep()) -> DistributionEvent:
    return PLAN_MACHINE.apply(plan, PlanAction(action), actor, data)


def record_objection(plan: DistributionPlan, *, raised_on: date, objection: str, answer: str, actor) -> Objection:
    """An objection raised during the notice, recorded with the collective's answer."""
    if Role.VILLAGE not in acting_roles(actor, plan.project.village):
        raise DomainError(_l("Objections are recorded by the project's own village collective."))
    if plan.status != PlanStatus.PUBLISHED:
        raise DomainError(_l("Objections are recorded while the plan is published for notice."))
    if raised_on is None or not plan.notice_starts_on <= raised_on <= plan.notice_ends_on:
        raise DomainError(_l("An objection is raised during the notice (%(start)s to %(end)s).",
                             start=plan.notice_starts_on.isoformat(), end=plan.notice_ends_on.isoformat()),
                          field="raised_on")
    objection, answer = (objection or "").strip(), (answer or "").strip()
    if not objection or not answer:
        raise DomainError(_l("Record the objection and the answer given."), field="objection")
    row = Objection(plan_id=plan.id, raised_on=raised_on, objection=objection, answer=answer, recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    record_audit("distribution.objection", "project", plan.project_id, summary=objection[:200],
                 after={"plan_id": plan.id, "objection_id": row.id}, actor=actor)
    return row


def objections_of(plan: DistributionPlan) -> list[Objection]:
    return db.session.execute(select(Objection).where(Objection.plan_id == plan.id).order_by(Objection.id)
                              ).scalars().all()
