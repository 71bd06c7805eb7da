"""Exit (资金退出), recoveries and closing.

An approver stops a project with a reason: it becomes exited and its outstanding commitment goes back to
the pool's available money (the project machine's release). Finance records recoveries — ledger entries
of kind recovery — until the money paid is recovered (the exit is settled) or an approver writes off the
rest with a reason ("exit" machine). A recovery never exceeds what was paid to the project and not yet
recovered; verify-ledger checks the same (recoveries_within_payments). An approved asset sale brings its
proceeds back the same way. An approver closes an operating project that finished its operating period.
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..audit.services import record_audit
from ..auth.access import acting_roles
from ..auth.roles import Role
from ..clock import refuse_future_date
from ..database import lock_row
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..pools.models import EntryKind, LedgerEntry
from ..pools.services import append_entry, outstanding_in_pool_fen, paid_to_project_fen, paid_to_projects_fen
from ..projects.models import Project, ProjectStatus
from ..projects.workflow import Action as ProjectAction
from ..projects.workflow import TransitionInput, apply_transition
from ..statemachine import StateMachine, Transition, TransitionData
from .models import (
    AssetDisposal,
    DisposalKind,
    DisposalStatus,
    ExitReason,
    ExitStatus,
    ProjectExit,
    Recovery,
    RecoveryKind,
    timeline_entry,
)

EXITABLE_STATUSES = (ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED,
                     ProjectStatus.OPERATING)


class ExitAction:
    SETTLE = "settle"
    WRITE_OFF = "write_off"


def recovered_by_project(project_ids=None) -> dict[int, int]:
    """Net money recovered per project, from the ledger (recoveries less their reversals)."""
    original = aliased(LedgerEntry)
    stmt = (select(LedgerEntry.project_id, func.sum(LedgerEntry.amount_fen))
            .outerjoin(original, original.id == LedgerEntry.reverses_id)
            .where(LedgerEntry.project_id.is_not(None),
                   or_(LedgerEntry.kind == EntryKind.RECOVERY,
                       and_(LedgerEntry.kind == EntryKind.REVERSAL, original.kind == EntryKind.RECOVERY)))
            .group_by(LedgerEntry.project_id))
    if project_ids is not None:
        stmt = stmt.where(LedgerEntry.project_id.in_(list(project_ids)))
    return {project_id: int(total or 0) for project_id, total in db.session.execute(stmt).all()}


def recoverable_fen(project: Project) -> int:
    """What was paid to the project and not yet recovered."""
    return paid_to_project_fen(project.id) - recovered_by_project([project.id]).get(project.id, 0)


def exit_of(project: Project) -> ProjectExit | None:
    return db.session.execute(select(ProjectExit).where(ProjectExit.project_id == project.id)).scalar_one_or_none()


def _not_the_one_who_started_the_exit(project_exit: ProjectExit, action, actor, data) -> None:
    """Four eyes on forgiving public money: the write-off is another approver's decision."""
    if project_exit.triggered_by_id == actor.id:
        raise DomainError(_l("You started this exit: another county approver decides the write-off."))


def _write_off_the_rest(project_exit: ProjectExit, action, actor, data) -> None:
    project_exit.write_off_reason, project_exit.decided_by_id = data.comment.strip(), actor.id
    project_exit.written_off_fen = recoverable_fen(project_exit.project)


EXIT_MACHINE = StateMachine(
    name="exit",
    transitions={
        (ExitStatus.OPEN, ExitAction.SETTLE): Transition(
            ExitStatus.SETTLED, frozenset({Role.FINANCE, Role.APPROVER}), _l("Settled: the money paid is recovered"),
            by_service=True),
        (ExitStatus.OPEN, ExitAction.WRITE_OFF): Transition(
            ExitStatus.WRITTEN_OFF, frozenset({Role.APPROVER}), _l("Write off the rest"),
            guards=(_not_the_one_who_started_the_exit,), effects=(_write_off_the_rest,), needs_reason=True),
    },
    status_labels=ExitStatus.labels(), record_event=timeline_entry("exit"),
    acting_roles=lambda project_exit, user: acting_roles(user, project_exit.project.village),
    describe=lambda project_exit: project_exit.project.title,
    reason_message=_l("Give the reason for the write-off."),
)


def may_exit(project: Project, user) -> bool:
    return project.status in EXITABLE_STATUSES and Role.APPROVER in acting_roles(user, project.village)


def trigger_exit(project: Project, *, reason_kind: str, reason: str, actor) -> ProjectExit:
    """The county stops the project: exited, its outstanding commitment released; recoveries follow."""
    reason = (reason or "").strip()
    if reason_kind not in ExitReason.labels():
        raise DomainError(_l("Choose why the project exits."), field="reason_kind")
    if not reason:
        raise DomainError(_l("Give the reasons for the exit."), field="reason")
    lock_row(Project, project.id)
    from_status = project.status
    released = outstanding_in_pool_fen(project.pool_id, project.id) if project.pool_id else 0
    apply_transition(project, ProjectAction.EXIT, actor, TransitionInput(comment=reason), by_service=True)
    project_exit = ProjectExit(project_id=project.id, reason_kind=ExitReason(reason_kind), reason=reason,
                               from_status=from_status, released_fen=max(released, 0), status=ExitStatus.OPEN,
                               triggered_by_id=actor.id)
    db.session.add(project_exit)
    db.session.flush()
    db.session.add(timeline_entry("exit")(project_exit, "trigger", "", ExitStatus.OPEN, reason, actor))
    record_audit("acceptance.exit", "project", project.id, summary=f"{reason_kind}: {reason}"[:200],
                 after={"exit_id": project_exit.id, "released_fen": project_exit.released_fen}, actor=actor)
    if recoverable_fen(project) <= 0:
        EXIT_MACHINE.apply(project_exit, ExitAction.SETTLE, actor, TransitionData(),
                           by_service=True)
    return project_exit


def write_off(project_exit: ProjectExit, *, reason: str, actor):
    """Under the project's row lock, which recoveries take too: a recovery and the write-off of what it
    recovers never both go through."""
    lock_row(Project, project_exit.project_id)
    lock_row(ProjectExit, project_exit.id)
    return EXIT_MACHINE.apply(project_exit, ExitAction.WRITE_OFF, actor, TransitionData(comment=reason or ""))


@dataclass(frozen=True)
class RecoveryInput:
    kind: str
    amount_fen: int
    received_on: date | None
    reference: str = ""
    note: str = ""
    disposal_id: int | None = None


def may_record_recovery(project: Project, user) -> bool:
    return Role.FINANCE in acting_roles(user, project.village) and project.pool_id is not None


def _open_exit_or_sale(project: Project, data: RecoveryInput) -> tuple[ProjectExit | None, AssetDisposal | None]:
    if data.disposal_id is not None:
        disposal = db.session.get(AssetDisposal, data.disposal_id)
        if disposal is None or disposal.project_id != project.id or disposal.status != DisposalStatus.APPROVED \
                or disposal.kind != DisposalKind.SALE or data.kind != RecoveryKind.ASSET_SALE:
            raise DomainError(_l("A sale's proceeds are recorded against an approved sale of this project's assets."),
                              field="disposal_id")
        return None, disposal
    project_exit = exit_of(project)
    if project_exit is None or project_exit.status != ExitStatus.OPEN:
        raise DomainError(_l("Recoveries are recorded for an exited project until its exit is settled or written "
                             "off, or for an approved sale of its assets."))
    return project_exit, None


def record_recovery(project: Project, data: RecoveryInput, *, actor) -> Recovery:
    """Money recovered from the project into its pool (a ledger entry of kind recovery)."""
    if not may_record_recovery(project, actor):
        raise DomainError(_l("Finance records recoveries of a project paid from a pool."))
    if data.kind not in RecoveryKind.labels():
        raise DomainError(_l("Choose the kind of recovery."), field="kind")
    if not isinstance(data.amount_fen, int) or isinstance(data.amount_fen, bool) or data.amount_fen <= 0:
        raise DomainError(_l("The amount must be greater than zero."), field="amount")
    if data.received_on is None:
        raise DomainError(_l("Enter the date the money was received."), field="received_on")
    refuse_future_date(data.received_on, "received_on")
    lock_row(Project, project.id)  # one recovery of a project at a time: the cap below holds
    project_exit, disposal = _open_exit_or_sale(project, data)
    recoverable = recoverable_fen(project)
    if data.amount_fen > recoverable:
        raise DomainError(_l("At most %(recoverable)s can be recovered: %(paid)s was paid to the project and "
                             "%(recovered)s is already recovered; %(amount)s is too much.",
                             recoverable=format_fen(recoverable), paid=format_fen(paid_to_project_fen(project.id)),
                             recovered=format_fen(paid_to_project_fen(project.id) - recoverable),
                             amount=format_fen(data.amount_fen)), field="amount")
    entry = append_entry(project.pool_id, EntryKind.RECOVERY, data.amount_fen, actor=actor,
                         value_date=data.received_on, project_id=project.id,
                         memo=f"{project.title} · {RecoveryKind(data.kind).label}")
    recovery = Recovery(project_id=project.id, pool_id=project.pool_id, ledger_entry_id=entry.id,
                        kind=RecoveryKind(data.kind), amount_fen=data.amount_fen, received_on=data.received_on,
                        reference=(data.reference or "").strip()[:100], note=(data.note or "").strip()[:500],
                        disposal_id=disposal.id if disposal else None, recorded_by_id=actor.id)
    db.session.add(recovery)
    db.session.flush()
    record_audit("acceptance.recovery", "project", project.id,
                 summary=f"{data.kind} {format_fen(data.amount_fen)}",
                 after={"recovery_id": recovery.id, "ledger_entry_id": entry.id}, actor=actor)
    if project_exit is not None and data.amount_fen == recoverable:
        EXIT_MACHINE.apply(project_exit, ExitAction.SETTLE, actor, TransitionData(), by_service=True)
    return recovery


def recoveries_of(project: Project) -> list[Recovery]:
    return db.session.execute(select(Recovery).where(Recovery.project_id == project.id)
                              .order_by(Recovery.id)).scalars().all()


def may_close(project: Project, user) -> bool:
    return project.status == ProjectStatus.OPERATING and Role.APPROVER in acting_roles(user, project.village)


def close_project(project: Project, *, reason: str, actor):
    """An operating project that finished its operating period; any remaining commitment is released."""
    lock_row(Project, project.id)
    return apply_transition(project, ProjectAction.CLOSE, actor, TransitionInput(comment=reason or ""),
                            by_service=True)


def recoveries_within_payments() -> list[str]:
    """Hook.LEDGER_CHECK: no project has recovered more than was paid to it; every recovery row describes its
    ledger entry."""
    paid, recovered = paid_to_projects_fen(), recovered_by_project()
    violations = [f"project #{project_id}: recovered {amount}, more than the {paid.get(project_id, 0)} paid to it"
                  for project_id, amount in sorted(recovered.items()) if amount > paid.get(project_id, 0)]
    rows = db.session.execute(
        select(Recovery.id, Recovery.project_id, Recovery.pool_id, Recovery.amount_fen, LedgerEntry.id,
               LedgerEntry.kind, LedgerEntry.project_id, LedgerEntry.pool_id, LedgerEntry.amount_fen)
        .outerjoin(LedgerEntry, LedgerEntry.id == Recovery.ledger_entry_id)).all()
    for recovery_id, project_id, pool_id, amount, entry_id, kind, entry_project, entry_pool, entry_amount in rows:
        if (kind, entry_project, entry_pool, entry_amount) != (EntryKind.RECOVERY, project_id, pool_id, amount):
            violations.append(f"recovery #{recovery_id}: does not match its ledger entry #{entry_id}")
    return violations
