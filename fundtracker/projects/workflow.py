"""The approval chain as one table: (status, action) -> (next status, roles allowed).

apply_transition() is the only way a project changes status. It checks the table, runs the
action's own rules (completeness on submit, reasons on a return or a rejection, the money on
an approval, the decision gates registered by the vetting domain), writes the timeline entry
and the audit event. It flushes and never commits.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..clock import refuse_future_date
from ..auth.roles import Role
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..pools.models import PoolStatus
from ..pools.services import figures_for, lock_pool
from .applications import application_snapshot, refuse_incomplete_application
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


class Action:
    SUBMIT = "submit"
    TOWN_PASS = "town_pass"
    TOWN_RETURN = "town_return"
    START_VETTING = "start_vetting"
    APPROVE = "approve"
    REJECT = "reject"
    RETURN = "return"
    FILE_WITH_CITY = "file_with_city"


@dataclass(frozen=True)
class Transition:
    to_status: ProjectStatus
    roles: frozenset
    label: object


def _t(to_status, *roles, label):
    return Transition(to_status, frozenset(roles), label)


TRANSITIONS: dict[tuple[ProjectStatus, str], Transition] = {
    (S.DRAFT, Action.SUBMIT): _t(S.SUBMITTED, Role.VILLAGE, label=_l("Submit to the township")),
    (S.RETURNED, Action.SUBMIT): _t(S.SUBMITTED, Role.VILLAGE, label=_l("Resubmit to the township")),
    (S.SUBMITTED, Action.TOWN_PASS): _t(S.TOWN_PASSED, Role.TOWN, label=_l("Pass to the county")),
    (S.SUBMITTED, Action.TOWN_RETURN): _t(S.RETURNED, Role.TOWN, label=_l("Return to the village")),
    (S.TOWN_PASSED, Action.START_VETTING): _t(S.VETTING, Role.APPROVER, label=_l("Send to the county panel")),
    (S.TOWN_PASSED, Action.RETURN): _t(S.RETURNED, Role.APPROVER, label=_l("Return for revision")),
    (S.VETTING, Action.APPROVE): _t(S.APPROVED, Role.APPROVER, label=_l("Approve")),
    (S.VETTING, Action.REJECT): _t(S.REJECTED, Role.APPROVER, label=_l("Reject")),
    (S.VETTING, Action.RETURN): _t(S.RETURNED, Role.APPROVER, label=_l("Return for revision")),
    # City filing (报市备案) records the filing; the project stays approved.
    (S.APPROVED, Action.FILE_WITH_CITY): _t(S.APPROVED, Role.APPROVER, label=_l("Record the city filing")),
}

ACTIONS_NEEDING_A_REASON = {Action.TOWN_RETURN, Action.RETURN, Action.REJECT}

# fn(project, action, reason) -> panel score in hundredths of a point, or None; raises DomainError to refuse.
DecisionGate = Callable[[Project, str, str], int | None]
_decision_gates: list[DecisionGate] = []


def register_decision_gate(gate: DecisionGate) -> None:
    if gate not in _decision_gates:
        _decision_gates.append(gate)


class RoleNotAllowed(DomainError):
    """The user's roles do not allow this action (the view answers 403)."""


def available_actions(project: Project, user) -> list[tuple[str, Transition]]:
    """The actions this user may take on this project now (for the buttons)."""
    return [
        (action, transition) for (status, action), transition in TRANSITIONS.items()
        if status == project.status and user.roles & transition.roles and _still_open(project, action)
    ]


def _still_open(project: Project, action: str) -> bool:
    return action != Action.FILE_WITH_CITY or project.city_filed_on is None


def transition_for(project: Project, action: str, actor) -> Transition:
    transition = TRANSITIONS.get((ProjectStatus(project.status), action))
    if transition is None or not _still_open(project, action):
        raise DomainError(_l("This action is not possible while the project is “%(status)s”.",
                             status=_status_label(project.status)))
    if not actor.roles & transition.roles:
        raise RoleNotAllowed(_l("Your roles do not allow this action."))
    return transition


def _status_label(status: str):
    return PROJECT_STATUS_LABELS[ProjectStatus(status)]


@dataclass(frozen=True)
class TransitionInput:
    comment: str = ""
    approved_amount_fen: int | None = None
    pool_id: int | None = None
    filed_on: date | None = None
    filing_reference: str = ""


def apply_transition(project: Project, action: str, actor, data: TransitionInput = TransitionInput()) -> ProjectEvent:
    transition = transition_for(project, action, actor)
    comment = (data.comment or "").strip()
    if action in ACTIONS_NEEDING_A_REASON and not comment:
        raise DomainError(_l("Give the reasons, so that the village knows what to change."), field="comment")
    from_status = project.status
    _ACTION_RULES.get(action, _no_rule)(project, actor, data, comment)
    project.status = transition.to_status
    event = ProjectEvent(project_id=project.id, action=action, from_status=from_status,
                         to_status=transition.to_status, comment=comment, actor_id=actor.id)
    db.session.add(event)
    db.session.flush()
    record_audit(f"project.{action}", "project", project.id, summary=f"{project.title}: {from_status} → {project.status}",
                 before={"status": from_status}, after={"status": project.status, "comment": comment}, actor=actor)
    return event


def _no_rule(project, actor, data, comment) -> None:
    return None


def _submit(project: Project, actor, data, comment) -> None:
    refuse_incomplete_application(project)
    number = db.session.execute(
        select(func.count(ProjectVersion.id)).where(ProjectVersion.project_id == project.id)
    ).scalar_one() + 1
    db.session.add(ProjectVersion(project_id=project.id, number=number, snapshot=application_snapshot(project),
                                  submitted_by_id=actor.id))


def _decide(project: Project, actor, data: TransitionInput, comment: str, outcome: str) -> None:
    panel_score = None
    for gate in _decision_gates:
        score = gate(project, outcome, comment)
        panel_score = score if score is not None else panel_score
    decision = ProjectDecision(project_id=project.id, outcome=outcome, reason=comment,
                               panel_score_centi=panel_score, decided_by_id=actor.id)
    if outcome == DecisionOutcome.APPROVE:
        _commit_pool_money(project, data)
        decision.approved_amount_fen, decision.pool_id = project.approved_amount_fen, project.pool_id
    db.session.add(decision)


def _commit_pool_money(project: Project, data: TransitionInput) -> None:
    """Approval commits the amount in the pool; the pool row is locked so that two approvals
    at the same moment cannot both take the same available money."""
    amount = data.approved_amount_fen
    if not amount or amount <= 0:
        raise DomainError(_l("Enter the approved amount."), field="approved_amount")
    if amount > project.requested_fen:
        raise DomainError(_l("The approved amount %(amount)s is above the %(requested)s the village asked for.",
                             amount=format_fen(amount), requested=format_fen(project.requested_fen)),
                          field="approved_amount")
    if data.pool_id is None:
        raise DomainError(_l("Choose the fund pool that pays for the project."), field="pool_id")
    pool = lock_pool(data.pool_id)
    if pool.status != PoolStatus.OPEN:
        raise DomainError(_l("The pool %(pool)s is closed.", pool=pool.name), field="pool_id")
    available = figures_for(pool).available_fen
    if amount > available:
        raise DomainError(_l("%(pool)s has %(available)s available; %(amount)s cannot be committed.",
                             pool=pool.name, available=format_fen(available), amount=format_fen(amount)),
                          field="approved_amount")
    project.approved_amount_fen, project.pool_id = amount, pool.id


def _file_with_city(project: Project, actor, data: TransitionInput, comment) -> None:
    if data.filed_on is None or not data.filing_reference.strip():
        raise DomainError(_l("Enter the filing date and the city's reference."), field="filed_on")
    refuse_future_date(data.filed_on, "filed_on")
    project.city_filed_on, project.city_filing_reference = data.filed_on, data.filing_reference.strip()


def _return(project, actor, data, comment) -> None:
    if project.status == S.VETTING:
        _decide(project, actor, data, comment, DecisionOutcome.RETURN)


_ACTION_RULES = {
    Action.SUBMIT: _submit,
    Action.APPROVE: lambda p, a, d, c: _decide(p, a, d, c, DecisionOutcome.APPROVE),
    Action.REJECT: lambda p, a, d, c: _decide(p, a, d, c, DecisionOutcome.REJECT),
    Action.RETURN: _return,
    Action.FILE_WITH_CITY: _file_with_city,
}
