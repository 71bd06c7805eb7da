"""The warning (预警处置) life cycle as one table on the core state machine.

open → confirmed (the county sets a rectification deadline and what must change) or dismissed (with
a reason: force majeure 容错 is one); confirmed → answered (the village's rectification report);
answered → closed, or back to confirmed (not enough), or escalated; confirmed → escalated. An
approver may record once, with a reason, an override that lets a red project be paid while its
warning is open (the disbursement guard reads it).
"""
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..auth.access import acting_roles
from ..auth.roles import Role
from ..errors import DomainError
from ..extensions import db
from ..statemachine import StateMachine, Transition, TransitionData
from .models import WARNING_STATUS_LABELS, ProjectWarning, WarningEvent, WarningStatus

W = WarningStatus
MACHINE_NAME = "warning"


class WarningAction(StrEnum):
    CONFIRM = "confirm"
    DISMISS = "dismiss"
    ANSWER = "answer"
    CLOSE = "close"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    OVERRIDE = "override"


@dataclass(frozen=True)
class WarningInput(TransitionData):
    rectify_by: date | None = None
    required_changes: str = ""


def _deadline_and_changes(warning: ProjectWarning, action, actor, data: WarningInput) -> None:
    if data.rectify_by is None:
        raise DomainError(_l("Set the rectification deadline."), field="rectify_by")
    if data.rectify_by <= warning.red_since:
        raise DomainError(_l("The rectification deadline must be after %(date)s, the reading that turned the "
                             "project red.", date=warning.red_since.isoformat()), field="rectify_by")
    if not data.required_changes.strip():
        raise DomainError(_l("Say what must change."), field="required_changes")


def _record_deadline(warning: ProjectWarning, action, actor, data: WarningInput) -> None:
    warning.rectify_by, warning.required_changes = data.rectify_by, data.required_changes.strip()


def _record_report(warning: ProjectWarning, action, actor, data: WarningInput) -> None:
    warning.rectification_report = data.comment.strip()


def _t(to_status, *roles, label, guards=(), effects=(), needs_reason=False):
    return Transition(to_status, frozenset(roles), label, tuple(guards), tuple(effects), needs_reason)


TRANSITIONS: dict[tuple[WarningStatus, WarningAction], Transition] = {
    (W.OPEN, WarningAction.CONFIRM): _t(W.CONFIRMED, Role.APPROVER, label=_l("Confirm and set a deadline"),
                                        guards=[_deadline_and_changes], effects=[_record_deadline]),
    (W.OPEN, WarningAction.DISMISS): _t(W.DISMISSED, Role.APPROVER, label=_l("Dismiss"), needs_reason=True),
    (W.CONFIRMED, WarningAction.ANSWER): _t(W.ANSWERED, Role.VILLAGE, label=_l("Report the rectification"),
                                            needs_reason=True, effects=[_record_report]),
    (W.CONFIRMED, WarningAction.ESCALATE): _t(W.ESCALATED, Role.APPROVER, label=_l("Escalate"), needs_reason=True),
    (W.ANSWERED, WarningAction.CLOSE): _t(W.CLOSED, Role.APPROVER, label=_l("Close: rectified")),
    (W.ANSWERED, WarningAction.REOPEN): _t(W.CONFIRMED, Role.APPROVER, label=_l("Not enough: rectify again"),
                                           needs_reason=True, guards=[_deadline_and_changes],
                                           effects=[_record_deadline]),
    (W.ANSWERED, WarningAction.ESCALATE): _t(W.ESCALATED, Role.APPROVER, label=_l("Escalate"), needs_reason=True),
    **{(status, WarningAction.OVERRIDE): _t(status, Role.APPROVER, label=_l("Allow payment despite the warning"),
                                                needs_reason=True)
       for status in (W.OPEN, W.CONFIRMED, W.ANSWERED, W.ESCALATED)},
}


def _timeline_entry(warning, action, from_status, to_status, comment, actor) -> WarningEvent:
    return WarningEvent(warning_id=warning.id, action=action, from_status=from_status, to_status=to_status,
                        comment=comment, actor_id=actor.id)


def has_override(warning: ProjectWarning) -> bool:
    return db.session.execute(
        select(WarningEvent.id).where(WarningEvent.warning_id == warning.id,
                                      WarningEvent.action == WarningAction.OVERRIDE).limit(1)
    ).first() is not None


def _still_open(warning: ProjectWarning, action) -> bool:
    return action != WarningAction.OVERRIDE or not has_override(warning)


WARNING_MACHINE = StateMachine(
    name=MACHINE_NAME, transitions=TRANSITIONS, status_labels=WARNING_STATUS_LABELS,
    record_event=_timeline_entry, acting_roles=lambda warning, user: acting_roles(user, warning.project.village),
    still_open=_still_open, describe=lambda warning: f"{warning.project.title} #{warning.id}",
    reason_message=_l("Give the reasons."),
)


def available_actions(warning: ProjectWarning, user) -> list[tuple[WarningAction, Transition]]:
    return WARNING_MACHINE.available(warning, user)


def apply_warning_action(warning: ProjectWarning, action, actor, data: WarningInput = WarningInput()) -> WarningEvent:
    return WARNING_MACHINE.apply(warning, WarningAction(action), actor, data)
