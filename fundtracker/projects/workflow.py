"""The approval chain as one table on the core state machine:
(status, action) -> Transition(next status, roles, label, guards, effects).

apply_transition() is the only way a project changes status. The table's own guards check
completeness on submit; its effects keep a version on submit, commit the pool money and record
the decision on approval, record the city filing. Higher domains add their guards through
Hook.TRANSITION_GUARD under the machine's name (the vetting panel's decision gate). Every
transition writes the timeline entry and the audit event, flushes and never commits.
"""
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..auth.roles import Role
from ..clock import refuse_future_date
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..pools.services import commit_to_project, outstanding_in_pool_fen, release_commitment
from ..signals import Hook, handlers
from ..statemachine import ActionNotOpen, RoleNotAllowed, StateMachine, Transition, TransitionData
from .applications import application_snapshot, refuse_incomplete_application
from .loaders import project_acting_roles
from .models import (
    PROJECT_STATUS_LABELS,
    DecisionOutcome,
    Project,
    ProjectDecision,
    ProjectEvent,
    ProjectStatus,
    ProjectVersion,
)

S = ProjectStatus
MACHINE_NAME = "project"


class Action(StrEnum):
    SUBMIT = "submit"
    TOWN_PASS = "town_pass"
    TOWN_RETURN = "town_return"
    START_VETTING = "start_vetting"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    FILE_WITH_CITY = "file_with_city"
    START_WORKS = "start_works"
    ACCEPT = "accept"
    REGISTER_ASSETS = "register_assets"
    CLOSE = "close"
    EXIT = "exit"


@dataclass(frozen=True)
class TransitionInput(TransitionData):
    approved_amount_fen: int | None = None
    pool_id: int | None = None
    filed_on: date | None = None
    filing_reference: str = ""


# --- guards and effects of the table -----------------------------------------------------------

def _complete_application(project: Project, action, actor, data) -> None:
    refuse_incomplete_application(project)


def _keep_version(project: Project, action, actor, data) -> None:
    number = db.session.execute(
        select(func.count(ProjectVersion.id)).where(ProjectVersion.project_id == project.id)
    ).scalar_one() + 1
    db.session.add(ProjectVersion(project_id=project.id, number=number, snapshot=application_snapshot(project),
                                  submitted_by_id=actor.id))


def _approved_amount(project: Project, action, actor, data: TransitionInput) -> None:
    amount = data.approved_amount_fen
    if not amount or amount <= 0:
        raise DomainError(_l("Enter the approved amount."), field="approved_amount")
    if amount > project.requested_fen:
        raise DomainError(_l("The approved amount %(amount)s is above the %(requested)s the village asked for.",
                             amount=format_fen(amount), requested=format_fen(project.requested_fen)),
                          field="approved_amount")
    if data.pool_id is None:
        raise DomainError(_l("Choose the fund pool that pays for the project."), field="pool_id")


def _commit_pool_money(project: Project, action, actor, data: TransitionInput) -> None:
    """Approval commits the amount in the pool (a commitment row, under the pool's row lock)."""
    commit_to_project(data.pool_id, project.id, data.approved_amount_fen, actor=actor,
                      reason=f"{project.title}: {data.comment}".strip(": ")[:500], field="approved_amount")
    project.approved_amount_fen, project.pool_id = data.approved_amount_fen, data.pool_id


def _panel_basis(project: Project) -> dict:
    """What the panel gives the decision to record (score, round), from Hook.DECISION_BASIS."""
    basis = {}
    for provider in handlers(Hook.DECISION_BASIS):
        basis.update({key: value for key, value in provider(project).items() if value is not None})
    return basis


def _latest_version_number(project: Project) -> int | None:
    return db.session.execute(
        select(func.max(ProjectVersion.number)).where(ProjectVersion.project_id == project.id)).scalar_one()


def _record_decision(outcome: DecisionOutcome):
    def record(project: Project, action, actor, data: TransitionInput) -> None:
        approved = outcome == DecisionOutcome.APPROVE
        db.session.add(ProjectDecision(
            project_id=project.id, outcome=outcome, reason=(data.comment or "").strip(), decided_by_id=actor.id,
            approved_amount_fen=project.approved_amount_fen if approved else None,
            pool_id=project.pool_id if approved else None, version_number=_latest_version_number(project),
            **_panel_basis(project),
        ))

    return record


# --- separation of duties: nobody takes two steps of one project's chain -------------------------

def authors_of(project: Project) -> set[int]:
    """Who made the application: its creator, its last editor, everyone who submitted a version."""
    submitters = db.session.execute(
        select(ProjectVersion.submitted_by_id).where(ProjectVersion.project_id == project.id)).scalars()
    return {project.created_by_id, project.last_edited_by_id, *submitters} - {None}


def township_reviewers_of(project: Project) -> set[int]:
    """Who passed or returned the application at the township."""
    return set(db.session.execute(
        select(ProjectEvent.actor_id).where(ProjectEvent.project_id == project.id,
                                            ProjectEvent.action.in_([Action.TOWN_PASS, Action.TOWN_RETURN]))
    ).scalars())


def _not_an_author(project: Project, action, actor, data) -> None:
    if actor.id in authors_of(project):
        raise DomainError(_l("You drafted or submitted this application: someone else must review it."))


def _not_the_township_reviewer(project: Project, action, actor, data) -> None:
    if actor.id in township_reviewers_of(project):
        raise DomainError(_l("You reviewed this application at the township: someone else must take the county's "
                             "step."))


COUNTY_STEP_GUARDS = (_not_an_author, _not_the_township_reviewer)


def _record_city_filing(project: Project, action, actor, data: TransitionInput) -> None:
    if data.filed_on is None or not data.filing_reference.strip():
        raise DomainError(_l("Enter the filing date and the city's reference."), field="filed_on")
    refuse_future_date(data.filed_on, "filed_on")
    project.city_filed_on, project.city_filing_reference = data.filed_on, data.filing_reference.strip()


def _release_outstanding(project: Project, action, actor, data) -> None:
    """Exit and closing give what is still set aside for the project back to the pool's available money."""
    if project.pool_id is None:
        return
    outstanding = outstanding_in_pool_fen(project.pool_id, project.id)
    if outstanding > 0:
        release_commitment(project.pool_id, project.id, outstanding, actor=actor,
                           reason=f"{project.title}: {action} · {data.comment}".strip()[:500])


def _t(to_status, *roles, label, guards=(), effects=(), needs_reason=False, by_service=False):
    return Transition(to_status, frozenset(roles), label, tuple(guards), tuple(effects), needs_reason, by_service)


TRANSITIONS: dict[tuple[ProjectStatus, Action], Transition] = {
    (S.DRAFT, Action.SUBMIT): _t(S.SUBMITTED, Role.VILLAGE, label=_l("Submit to the township"),
                                 guards=[_complete_application], effects=[_keep_version]),
    (S.RETURNED, Action.SUBMIT): _t(S.SUBMITTED, Role.VILLAGE, label=_l("Resubmit to the township"),
                                    guards=[_complete_application], effects=[_keep_version]),
    (S.SUBMITTED, Action.TOWN_PASS): _t(S.TOWN_PASSED, Role.TOWN, label=_l("Pass to the county"),
                                        guards=[_not_an_author]),
    (S.SUBMITTED, Action.TOWN_RETURN): _t(S.RETURNED, Role.TOWN, label=_l("Return to the village"), needs_reason=True,
                                          guards=[_not_an_author]),
    (S.TOWN_PASSED, Action.START_VETTING): _t(S.VETTING, Role.APPROVER, label=_l("Send to the county panel"),
                                              guards=COUNTY_STEP_GUARDS),
    (S.TOWN_PASSED, Action.RETURN): _t(S.RETURNED, Role.APPROVER, label=_l("Return for revision"), needs_reason=True,
                                       guards=COUNTY_STEP_GUARDS),
    (S.VETTING, Action.APPROVE): _t(S.APPROVED, Role.APPROVER, label=_l("Approve"),
                                    guards=[*COUNTY_STEP_GUARDS, _approved_amount],
                                    effects=[_commit_pool_money, _record_decision(DecisionOutcome.APPROVE)]),
    (S.VETTING, Action.REJECT): _t(S.REJECTED, Role.APPROVER, label=_l("Reject"), needs_reason=True,
                                   guards=COUNTY_STEP_GUARDS, effects=[_record_decision(DecisionOutcome.REJECT)]),
    (S.VETTING, Action.RETURN): _t(S.RETURNED, Role.APPROVER, label=_l("Return for revision"), needs_reason=True,
                                   guards=COUNTY_STEP_GUARDS, effects=[_record_decision(DecisionOutcome.RETURN)]),
    # City filing (报市备案) records the filing; the project stays approved.
    (S.APPROVED, Action.FILE_WITH_CITY): _t(S.APPROVED, Role.APPROVER, label=_l("Record the city filing"),
                                            effects=[_record_city_filing]),
    # The first payment to the project (the disbursements domain) starts the works.
    (S.APPROVED, Action.START_WORKS): _t(S.IN_PROGRESS, Role.FINANCE, label=_l("Works started (first payment)"),
                                         by_service=True),
    # The acceptance domain: the county's final acceptance, the first registered asset, closing and exit.
    (S.IN_PROGRESS, Action.ACCEPT): _t(S.ACCEPTED, Role.APPROVER, label=_l("Accepted by the county"),
                                       by_service=True),
    (S.ACCEPTED, Action.REGISTER_ASSETS): _t(S.OPERATING, Role.APPROVER, label=_l("Assets registered"),
                                             by_service=True),
    (S.OPERATING, Action.CLOSE): _t(S.CLOSED, Role.APPROVER, label=_l("Close the project"), needs_reason=True,
                                    effects=[_release_outstanding], by_service=True),
    **{(status, Action.EXIT): _t(S.EXITED, Role.APPROVER, label=_l("Exit: recover the funds"), needs_reason=True,
                                 effects=[_release_outstanding], by_service=True)
       for status in (S.APPROVED, S.IN_PROGRESS, S.ACCEPTED, S.OPERATING)},
}


def _timeline_entry(project: Project, action, from_status, to_status, comment: str, actor) -> ProjectEvent:
    return ProjectEvent(project_id=project.id, action=action, from_status=from_status, to_status=to_status,
                        comment=comment, actor_id=actor.id)


def _still_open(project: Project, action) -> bool:
    return action != Action.FILE_WITH_CITY or project.city_filed_on is None


PROJECT_MACHINE = StateMachine(
    name=MACHINE_NAME, transitions=TRANSITIONS, status_labels=PROJECT_STATUS_LABELS,
    record_event=_timeline_entry, acting_roles=project_acting_roles, still_open=_still_open,
    describe=lambda project: project.title,
    reason_message=_l("Give the reasons, so that the village knows what to change."),
)

__all__ = ["Action", "TransitionInput", "TRANSITIONS", "PROJECT_MACHINE", "RoleNotAllowed", "ActionNotOpen",
           "available_actions", "transition_for", "apply_transition"]


def available_actions(project: Project, user) -> list[tuple[Action, Transition]]:
    return PROJECT_MACHINE.available(project, user)


def transition_for(project: Project, action, actor) -> Transition:
    return PROJECT_MACHINE.transition_for(project, action, actor)


def apply_transition(project: Project, action, actor, data: TransitionInput = TransitionInput(), *,
                     by_service: bool = False) -> ProjectEvent:
    return PROJECT_MACHINE.apply(project, Action(action), actor, data, by_service=by_service)
