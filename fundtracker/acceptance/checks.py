"""Two-level acceptance (县镇两级验收) as one table on the core state machine ("acceptance").

town_due → (the township's check passes) → county_due → (the county's acceptance passes) → accepted.
A check that fails or passes with conditions opens a rectification (整改) with a deadline; the village
answers it, and the same level checks again (which closes it). The county's pass needs the township's
pass, every tranche before the final one(s) paid, and the township-confirmed progress at 100 %; it
accepts the project, unlocks the tranches that wait for the acceptance and starts the retention clock.
"""
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import refuse_future_date
from ..database import lock_row
from ..disbursements.models import ProgressReport, ReportStatus
from ..disbursements.services import confirm_acceptance_of_project, paid_by_tranche, tranches_of
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..projects.models import Project, ProjectStatus
from ..projects.services import add_attachment
from ..projects.workflow import Action as ProjectAction
from ..projects.workflow import TransitionInput, apply_transition, authors_of
from ..statemachine import StateMachine, Transition, TransitionData
from .models import (
    CHECK_DOCUMENTS,
    Acceptance,
    AcceptanceCheck,
    AcceptanceStatus,
    CheckLevel,
    CheckResult,
    JointDepartment,
    Rectification,
    timeline_entry,
)

A = AcceptanceStatus
MACHINE_NAME = "acceptance"
FULL_PROGRESS = 100


class AcceptanceAction(StrEnum):
    TOWN_PASS = "town_pass"
    TOWN_REJECT = "town_reject"  # a fail or a pass with conditions: rectify first
    COUNTY_PASS = "county_pass"
    COUNTY_REJECT = "county_reject"
    ANSWER = "answer"  # the village's rectification report


@dataclass(frozen=True)
class CheckInput(TransitionData):
    level: str = CheckLevel.TOWN
    result: str = CheckResult.PASS
    checked_on: date | None = None
    members: str = ""
    joint_departments: tuple = ()
    findings: str = ""
    settlement_fen: int | None = None
    rectify_by: date | None = None
    documents: dict = field(default_factory=dict)  # CHECK_DOCUMENTS column -> attachment id


@dataclass(frozen=True)
class AnswerInput(TransitionData):
    answered_on: date | None = None
    attachment_id: int | None = None


# --- guards and effects ---------------------------------------------------------------------------

def _works_in_progress(acceptance: Acceptance, action, actor, data) -> None:
    if acceptance.project.status != ProjectStatus.IN_PROGRESS:
        raise DomainError(_l("Only a project whose works are in progress is checked for acceptance."))


def _complete_check(acceptance: Acceptance, action, actor, data: CheckInput) -> None:
    if data.checked_on is None:
        raise DomainError(_l("Enter the date of the check."), field="checked_on")
    refuse_future_date(data.checked_on, "checked_on")
    if not data.members.strip():
        raise DomainError(_l("Name the members of the check (names and departments)."), field="members")
    if data.result != CheckResult.PASS:
        if not data.findings.strip():
            raise DomainError(_l("Record the findings: what must be rectified."), field="findings")
        if data.rectify_by is None or data.rectify_by < data.checked_on:
            raise DomainError(_l("Set the rectification deadline, on or after the day of the check."),
                              field="rectify_by")


def _not_own_case(acceptance: Acceptance, action, actor, data) -> None:
    """The county's acceptance is taken by someone who neither applied for the project nor checked it at the
    township."""
    township_checkers = set(db.session.execute(select(AcceptanceCheck.recorded_by_id).where(
        AcceptanceCheck.acceptance_id == acceptance.id, AcceptanceCheck.level == CheckLevel.TOWN)).scalars())
    if actor.id in authors_of(acceptance.project) | township_checkers:
        raise DomainError(_l("You applied for this project or checked it at the township: someone else takes the "
                             "county's acceptance."))


def confirmed_progress_percent(project_id: int) -> int:
    """The highest progress the township has confirmed (0 without a confirmed report)."""
    return db.session.execute(select(func.max(ProgressReport.progress_percent)).where(
        ProgressReport.project_id == project_id, ProgressReport.status == ReportStatus.CONFIRMED)).scalar_one() or 0


def unpaid_tranches_before_acceptance(project: Project) -> list:
    """The tranches that do not wait for the acceptance and are not fully paid."""
    tranches = [t for t in tranches_of(project) if not t.needs_acceptance]
    paid = paid_by_tranche(t.id for t in tranches)
    return [t for t in tranches if paid.get(t.id, 0) < t.amount_fen]


def _ready_for_final_acceptance(acceptance: Acceptance, action, actor, data: CheckInput) -> None:
    project = acceptance.project
    unpaid = unpaid_tranches_before_acceptance(project)
    if unpaid:
        raise DomainError(_l("The tranches before the final acceptance are not all paid (tranche %(positions)s): "
                             "the county accepts once they are.",
                             positions=", ".join(str(t.position) for t in unpaid)))
    progress = confirmed_progress_percent(project.id)
    if progress < FULL_PROGRESS:
        raise DomainError(_l("The township has confirmed %(progress)d%% progress; the county accepts a project at "
                             "100%%.", progress=progress))
    if not isinstance(data.settlement_fen, int) or data.settlement_fen <= 0:
        raise DomainError(_l("Enter the audited settlement amount (审计结算金额)."), field="settlement")


def _record_check(acceptance: Acceptance, action, actor, data: CheckInput) -> None:
    level = CheckLevel(data.level)
    check = AcceptanceCheck(
        acceptance_id=acceptance.id, project_id=acceptance.project_id, level=level, checked_on=data.checked_on,
        members=data.members.strip(), result=CheckResult(data.result), findings=data.findings.strip(),
        joint_departments=[JointDepartment(d).value for d in data.joint_departments] if level == CheckLevel.COUNTY
        else [], settlement_fen=data.settlement_fen if level == CheckLevel.COUNTY else None,
        recorded_by_id=actor.id, **{column: data.documents.get(column) for column in CHECK_DOCUMENTS})
    db.session.add(check)
    db.session.flush()
    for rectification in open_rectifications(acceptance, level):
        rectification.closed_by_check_id = check.id
    if check.result != CheckResult.PASS:
        db.session.add(Rectification(acceptance_id=acceptance.id, project_id=acceptance.project_id, check_id=check.id,
                                     level=level, required_changes=check.findings, rectify_by=data.rectify_by))


def _note_the_acceptance(acceptance: Acceptance, action, actor, data: CheckInput) -> None:
    """The county's pass dates the acceptance (first: the row's accepted status needs its date)."""
    acceptance.accepted_on, acceptance.settlement_fen = data.checked_on, data.settlement_fen


def _accept_the_project(acceptance: Acceptance, action, actor, data: CheckInput) -> None:
    """The county's pass: the project is accepted, the final tranche unlocked, the retention clock started."""
    project = acceptance.project
    apply_transition(project, ProjectAction.ACCEPT, actor, TransitionInput(comment=data.findings.strip()),
                     by_service=True)
    confirm_acceptance_of_project(project, actor=actor, accepted_on=data.checked_on)


def _complete_answer(acceptance: Acceptance, action, actor, data: AnswerInput) -> None:
    if not data.comment.strip():
        raise DomainError(_l("Describe what was rectified."), field="comment")
    if data.answered_on is None:
        raise DomainError(_l("Enter the date of the answer."), field="answered_on")
    refuse_future_date(data.answered_on, "answered_on")


def _record_answer(acceptance: Acceptance, action, actor, data: AnswerInput) -> None:
    rectification = unanswered_rectification(acceptance)
    rectification.answer, rectification.answered_on = data.comment.strip(), data.answered_on
    rectification.answer_attachment_id, rectification.answered_by_id = data.attachment_id, actor.id


CHECK_GUARDS = (_works_in_progress, _complete_check)
TOWN, COUNTY, VILLAGE = frozenset({Role.TOWN}), frozenset({Role.APPROVER}), frozenset({Role.VILLAGE})

TRANSITIONS = {
    (A.TOWN_DUE, AcceptanceAction.TOWN_PASS): Transition(
        A.COUNTY_DUE, TOWN, _l("Township check: pass"), CHECK_GUARDS, (_record_check,)),
    (A.TOWN_DUE, AcceptanceAction.TOWN_REJECT): Transition(
        A.TOWN_FIX, TOWN, _l("Township check: rectification needed"), CHECK_GUARDS, (_record_check,)),
    (A.COUNTY_DUE, AcceptanceAction.COUNTY_PASS): Transition(
        A.ACCEPTED, COUNTY, _l("County acceptance: pass"), (*CHECK_GUARDS, _not_own_case, _ready_for_final_acceptance),
        (_note_the_acceptance, _record_check, _accept_the_project)),
    (A.COUNTY_DUE, AcceptanceAction.COUNTY_REJECT): Transition(
        A.COUNTY_FIX, COUNTY, _l("County acceptance: rectification needed"), (*CHECK_GUARDS, _not_own_case),
        (_record_check,)),
    (A.TOWN_FIX, AcceptanceAction.ANSWER): Transition(
        A.TOWN_DUE, VILLAGE, _l("Answer the rectification"), (_complete_answer,), (_record_answer,)),
    (A.COUNTY_FIX, AcceptanceAction.ANSWER): Transition(
        A.COUNTY_DUE, VILLAGE, _l("Answer the rectification"), (_complete_answer,), (_record_answer,)),
}

ACCEPTANCE_MACHINE = StateMachine(
    name=MACHINE_NAME, transitions=TRANSITIONS, status_labels=AcceptanceStatus.labels(),
    record_event=timeline_entry("acceptance"),
    acting_roles=lambda acceptance, user: acting_roles(user, acceptance.project.village),
    describe=lambda acceptance: acceptance.project.title,
)


# --- reading -------------------------------------------------------------------------------------

def acceptance_of(project: Project) -> Acceptance | None:
    return db.session.execute(select(Acceptance).where(Acceptance.project_id == project.id)).scalar_one_or_none()


def checks_of(project: Project) -> list[AcceptanceCheck]:
    return db.session.execute(select(AcceptanceCheck).where(AcceptanceCheck.project_id == project.id)
                              .order_by(AcceptanceCheck.id)).scalars().all()


def rectifications_of(project: Project) -> list[Rectification]:
    return db.session.execute(select(Rectification).where(Rectification.project_id == project.id)
                              .order_by(Rectification.id)).scalars().all()


def open_rectifications(acceptance: Acceptance, level) -> list[Rectification]:
    return db.session.execute(select(Rectification).where(
        Rectification.acceptance_id == acceptance.id, Rectification.level == level,
        Rectification.closed_by_check_id.is_(None))).scalars().all()


def unanswered_rectification(acceptance: Acceptance) -> Rectification | None:
    return db.session.execute(select(Rectification).where(
        Rectification.acceptance_id == acceptance.id, Rectification.answered_on.is_(None))
        .order_by(Rectification.id.desc()).limit(1)).scalar_one_or_none()


def check_level_due(acceptance: Acceptance | None) -> CheckLevel | None:
    """The level whose check is due now (None while the village rectifies, or once accepted)."""
    status = acceptance.status if acceptance else A.TOWN_DUE
    return {A.TOWN_DUE: CheckLevel.TOWN, A.COUNTY_DUE: CheckLevel.COUNTY}.get(status)


def may_check(project: Project, user) -> bool:
    """May this user record the check that is due (the township's or the county's) now?"""
    if project.status != ProjectStatus.IN_PROGRESS:
        return False
    level = check_level_due(acceptance_of(project))
    role = {CheckLevel.TOWN: Role.TOWN, CheckLevel.COUNTY: Role.APPROVER}.get(level)
    return role is not None and role in acting_roles(user, project.village)


# --- writing -------------------------------------------------------------------------------------

def _acceptance_for_update(project: Project) -> Acceptance:
    lock_row(Project, project.id)
    acceptance = acceptance_of(project)
    if acceptance is None:
        acceptance = Acceptance(project_id=project.id, status=A.TOWN_DUE)
        db.session.add(acceptance)
        db.session.flush()
    return acceptance


def _action_for(level: str, result: str) -> AcceptanceAction:
    passed = result == CheckResult.PASS
    if level == CheckLevel.TOWN:
        return AcceptanceAction.TOWN_PASS if passed else AcceptanceAction.TOWN_REJECT
    return AcceptanceAction.COUNTY_PASS if passed else AcceptanceAction.COUNTY_REJECT


def record_check(project: Project, data: CheckInput, *, actor, uploads: dict | None = None) -> AcceptanceCheck:
    """The township's check or the county's acceptance, with its documents (uploads: column -> file)."""
    if data.level not in CheckLevel.labels() or data.result not in CheckResult.labels():
        raise DomainError(_l("Choose the level and the result of the check."), field="result")
    acceptance = _acceptance_for_update(project)
    if data.level == CheckLevel.COUNTY and acceptance.status in (A.TOWN_DUE, A.TOWN_FIX):
        raise DomainError(_l("The township's check (镇级自验) has not passed yet: the county accepts a project after "
                             "the township's pass."))
    action = _action_for(data.level, data.result)
    ACCEPTANCE_MACHINE.transition_for(acceptance, action, actor)  # the roles, before any file is stored
    documents = {column: add_attachment(project, upload, kind="other", actor=actor).id
                 for column, upload in (uploads or {}).items()
                 if column in CHECK_DOCUMENTS and getattr(upload, "filename", "")}
    ACCEPTANCE_MACHINE.apply(acceptance, action, actor, CheckInput(**{**data.__dict__, "documents": documents,
                                                                      "comment": data.findings.strip()}))
    check = db.session.execute(select(AcceptanceCheck).where(AcceptanceCheck.acceptance_id == acceptance.id)
                               .order_by(AcceptanceCheck.id.desc()).limit(1)).scalar_one()
    record_audit("acceptance.check", "project", project.id,
                 summary=f"{data.level} {data.result} {data.checked_on}"
                 + (f" {format_fen(data.settlement_fen)}" if data.settlement_fen else ""),
                 after={"check_id": check.id, "result": data.result, "documents": documents}, actor=actor)
    return check


def answer_rectification(project: Project, *, answer: str, answered_on: date | None, actor, upload=None):
    """The village's rectification report; the level that asked for it checks again."""
    acceptance = _acceptance_for_update(project)
    ACCEPTANCE_MACHINE.transition_for(acceptance, AcceptanceAction.ANSWER, actor)
    attachment_id = add_attachment(project, upload, kind="other", actor=actor).id \
        if getattr(upload, "filename", "") else None
    return ACCEPTANCE_MACHINE.apply(acceptance, AcceptanceAction.ANSWER, actor, AnswerInput(
        comment=answer or "", answered_on=answered_on, attachment_id=attachment_id))
