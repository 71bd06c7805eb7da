"""Staged disbursements: tranche plans, progress reports, payment requests and the one approval
that moves money. Each function flushes and never commits.

The approval runs with the payment request, the project and the pool rows locked (in that order,
then the audit chain head): four eyes, the tranche's remaining share, the project's outstanding
commitment and the pool's balance are all checked inside the transaction that appends the ledger
entry, so two approvals from two servers can never both take the same money.
"""
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit.services import record_audit
from ..auth.roles import Role
from ..clock import add_months, local_today, refuse_future_date
from ..database import lock_row
from ..errors import DomainError
from ..extensions import db
from ..money import format_fen
from ..pools.models import EntryKind, LedgerEntry
from ..pools.services import append_entry, outstanding_for_project_fen, project_payments_select, reverse_entry
from ..projects.loaders import acts_as_village, of_projects, project_acting_roles
from ..projects.models import Project, ProjectAttachment, ProjectStatus
from ..projects.services import add_attachment
from ..projects.workflow import Action as ProjectAction
from ..projects.workflow import apply_transition
from ..statemachine import StateMachine, Transition, TransitionData
from . import settings
from .models import (
    Disbursement,
    DisbursementEvent,
    PaymentStatus,
    ProgressReport,
    ReportStatus,
    Tranche,
    TranchePlanVersion,
)

# An operating project is still paid its quality retention, which falls due a year after acceptance.
PAYABLE_STATUSES = frozenset({ProjectStatus.APPROVED, ProjectStatus.IN_PROGRESS, ProjectStatus.ACCEPTED,
                              ProjectStatus.OPERATING})
PERCENT = 100


# --- the tranche plan ------------------------------------------------------------------------

@dataclass(frozen=True)
class TrancheInput:
    description: str
    amount_fen: int
    planned_on: date | None = None
    required_documents: tuple = ()
    needs_acceptance: bool = False
    is_retention: bool = False


def tranches_of(project: Project) -> list[Tranche]:
    return list(db.session.execute(
        select(Tranche).where(Tranche.project_id == project.id).order_by(Tranche.position)).scalars())


def paid_by_tranche(tranche_ids) -> dict[int, int]:
    """Net money paid per tranche, from the ledger (payments less their reversals)."""
    tranche_ids = list(tranche_ids)
    if not tranche_ids:
        return {}
    rows = db.session.execute(
        select(LedgerEntry.tranche_id, func.sum(LedgerEntry.amount_fen))
        .where(LedgerEntry.tranche_id.in_(tranche_ids)).group_by(LedgerEntry.tranche_id)).all()
    return {tranche_id: -int(total or 0) for tranche_id, total in rows}


@dataclass(frozen=True)
class MonthPaid:
    year: int
    month: int
    paid_fen: int


def payments_by_month(project_ids_select, year: int | None = None) -> list[MonthPaid]:
    """Net money paid to these projects per month of the payment's value date (reversals count in the month
    they were booked), oldest first: one grouped query over the ledger, the same payments as paid_to_projects_fen."""
    year_of, month_of = func.extract("year", LedgerEntry.value_date), func.extract("month", LedgerEntry.value_date)
    stmt = (project_payments_select(year_of, month_of, func.sum(LedgerEntry.amount_fen))
            .where(of_projects(LedgerEntry.project_id, project_ids_select)).group_by(year_of, month_of).order_by(year_of, month_of))
    if year is not None:
        stmt = stmt.where(LedgerEntry.value_date >= date(year, 1, 1), LedgerEntry.value_date < date(year + 1, 1, 1))
    return [MonthPaid(int(y), int(m), -int(total or 0)) for y, m, total in db.session.execute(stmt).all()]


def default_plan(project: Project, retention_percent: int = 0) -> list[TrancheInput]:
    """The template's steps as amounts of the approved amount; with a retention, the last step keeps
    back retention_percent for the quality retention (质保金)."""
    approved = project.approved_amount_fen or 0
    retention = approved * retention_percent // PERCENT
    plan, previous = [], 0
    for description, cumulative_percent, documents, needs_acceptance in settings.tranche_template():
        cumulative = approved * cumulative_percent // PERCENT
        amount = cumulative - previous - (retention if cumulative_percent == PERCENT else 0)
        plan.append(TrancheInput(description, amount, None, tuple(documents), needs_acceptance))
        previous = cumulative
    if retention:
        plan.append(TrancheInput("质保金", retention, None, (settings.ACCEPTANCE_REPORT, settings.INVOICE),
                                 True, is_retention=True))
    return plan


def _refuse_inconsistent_plan(project: Project, plan: list[TrancheInput]) -> None:
    approved = project.approved_amount_fen or 0
    if not plan:
        raise DomainError(_l("A plan needs at least one tranche."))
    if any(step.amount_fen <= 0 for step in plan):
        raise DomainError(_l("Every tranche pays something: give each an amount above zero."))
    total = sum(step.amount_fen for step in plan)
    if total > approved:
        raise DomainError(_l("The tranches add up to %(total)s, more than the approved %(approved)s.",
                             total=format_fen(total), approved=format_fen(approved)))
    cap = approved * settings.prepayment_cap_percent() // PERCENT
    if plan[0].amount_fen > cap:
        raise DomainError(_l("The first tranche (the prepayment) may be at most %(percent)d%% of the approved amount, "
                             "%(cap)s.", percent=settings.prepayment_cap_percent(), cap=format_fen(cap)))
    retentions = [step for step in plan if step.is_retention]
    retention_cap = approved * settings.retention_max_percent() // PERCENT
    if len(retentions) > 1 or (retentions and plan[-1] is not retentions[0]):
        raise DomainError(_l("There is at most one quality retention, and it is the last tranche."))
    if retentions and retentions[0].amount_fen > retention_cap:
        raise DomainError(_l("The quality retention may be at most %(percent)d%% of the approved amount, %(cap)s.",
                             percent=settings.retention_max_percent(), cap=format_fen(retention_cap)))


def save_plan(project: Project, plan: list[TrancheInput], *, actor, reason: str = "") -> list[Tranche]:
    """Create or change the project's tranche plan (finance). Once money was paid, a change needs a
    reason and never takes a tranche below what was paid on it; every saved plan is kept as a version."""
    if project.status not in PAYABLE_STATUSES:
        raise DomainError(_l("A tranche plan is made for an approved project."))
    _refuse_inconsistent_plan(project, plan)
    existing = tranches_of(project)
    paid = paid_by_tranche(t.id for t in existing)
    reason = (reason or "").strip()
    if any(paid.values()) and not reason:
        raise DomainError(_l("Money was paid under this plan: give the reason for the change."), field="reason")
    for tranche in existing[len(plan):]:
        if paid.get(tranche.id) or _has_requests(tranche):
            raise DomainError(_l("Tranche %(n)d has payments or requests and stays in the plan.", n=tranche.position))
        db.session.delete(tranche)
    db.session.flush()
    tranches = [_save_tranche(project, position, step, existing, paid)
                for position, step in enumerate(plan, start=1)]
    db.session.flush()
    _keep_plan_version(project, tranches, reason, actor)
    return tranches


def _has_requests(tranche: Tranche) -> bool:
    return db.session.execute(select(Disbursement.id).where(Disbursement.tranche_id == tranche.id).limit(1)).first() \
        is not None


def _save_tranche(project, position: int, step: TrancheInput, existing: list[Tranche], paid: dict) -> Tranche:
    tranche = existing[position - 1] if position <= len(existing) else Tranche(project_id=project.id, position=position)
    if step.amount_fen < paid.get(tranche.id, 0):
        raise DomainError(_l("Tranche %(n)d has %(paid)s paid already; it cannot be smaller.",
                             n=position, paid=format_fen(paid[tranche.id])))
    tranche.description, tranche.amount_fen, tranche.planned_on = step.description.strip()[:200], step.amount_fen, \
        step.planned_on
    tranche.required_documents = [document for document in step.required_documents if document]
    tranche.needs_acceptance, tranche.is_retention = step.needs_acceptance or step.is_retention, step.is_retention
    tranche.release_after_months = settings.retention_months() if step.is_retention else None
    db.session.add(tranche)
    return tranche


def _keep_plan_version(project: Project, tranches: list[Tranche], reason: str, actor) -> None:
    number = (db.session.execute(select(func.max(TranchePlanVersion.number))
                                 .where(TranchePlanVersion.project_id == project.id)).scalar_one() or 0) + 1
    snapshot = [{"position": t.position, "description": t.description, "amount_fen": t.amount_fen,
                 "planned_on": t.planned_on.isoformat() if t.planned_on else None,
                 "documents": t.required_documents, "retention": t.is_retention} for t in tranches]
    db.session.add(TranchePlanVersion(project_id=project.id, number=number, snapshot=snapshot, reason=reason,
                                      actor_id=actor.id))
    record_audit("disbursement.plan", "project", project.id, summary=f"{project.title} v{number}",
                 after={"tranches": snapshot, "reason": reason}, actor=actor)


def confirm_acceptance(tranche: Tranche, *, actor, accepted_on: date) -> None:
    """An approver records by hand that the works were accepted, so the tranche after acceptance may be paid:
    kept for works accepted outside the system (before it was used). The acceptance domain's county pass
    confirms every waiting tranche itself (confirm_acceptance_of_project)."""
    if not tranche.needs_acceptance:
        raise DomainError(_l("This tranche does not wait for the acceptance."))
    refuse_future_date(accepted_on, "accepted_on")
    tranche.acceptance_confirmed_on, tranche.acceptance_confirmed_by_id = accepted_on, actor.id
    db.session.flush()
    record_audit("disbursement.acceptance", "project", tranche.project_id, summary=f"#{tranche.position}",
                 after={"accepted_on": accepted_on}, actor=actor)


def confirm_acceptance_of_project(project: Project, *, actor, accepted_on: date) -> list[Tranche]:
    """The county's final acceptance (the acceptance domain) unlocks every tranche that waits for it and
    starts the retention clock; tranches an approver already confirmed keep their date."""
    waiting = [t for t in tranches_of(project) if t.needs_acceptance and t.acceptance_confirmed_on is None]
    for tranche in waiting:
        tranche.acceptance_confirmed_on, tranche.acceptance_confirmed_by_id = accepted_on, actor.id
    db.session.flush()
    if waiting:
        record_audit("disbursement.acceptance", "project", project.id,
                     summary=" ".join(f"#{t.position}" for t in waiting),
                     after={"accepted_on": accepted_on, "tranche_ids": [t.id for t in waiting]}, actor=actor)
    return waiting


def retention_release_on(tranche: Tranche) -> date | None:
    if not tranche.is_retention or tranche.acceptance_confirmed_on is None:
        return None
    return add_months(tranche.acceptance_confirmed_on, tranche.release_after_months or 0)


# --- progress reports ------------------------------------------------------------------------

def submit_progress_report(project: Project, tranche: Tranche, *, progress_percent: int, narrative: str,
                           uploads=(), actor) -> ProgressReport:
    """The village reports that a milestone is reached, with photos and documents."""
    if not acts_as_village(actor, project):
        raise DomainError(_l("Progress is reported by the village collective of the project's own village."))
    if project.status not in PAYABLE_STATUSES or tranche.project_id != project.id:
        raise DomainError(_l("Progress is reported on an approved project's tranches."))
    if not isinstance(progress_percent, int) or not 0 <= progress_percent <= PERCENT:
        raise DomainError(_l("Progress is a whole percentage from 0 to 100."), field="progress_percent")
    if not (narrative or "").strip():
        raise DomainError(_l("Describe the progress."), field="narrative")
    attachment_ids = [add_attachment(project, upload, kind="photo" if _is_image(upload) else "other",
                                     actor=actor).id for upload in uploads]
    report = ProgressReport(project_id=project.id, tranche_id=tranche.id, progress_percent=progress_percent,
                            narrative=narrative.strip(), attachment_ids=attachment_ids,
                            status=ReportStatus.SUBMITTED, submitted_by_id=actor.id)
    db.session.add(report)
    db.session.flush()
    record_audit("disbursement.report", "project", project.id, summary=f"#{tranche.position} {progress_percent}%",
                 actor=actor)
    return report


def _is_image(upload) -> bool:
    return (getattr(upload, "mimetype", "") or "").startswith("image/")


class ReportAction:
    CONFIRM = "confirm"
    RETURN = "return"


def _not_the_reporter(report: ProgressReport, action, actor, data) -> None:
    if report.submitted_by_id == actor.id:
        raise DomainError(_l("You wrote this report: another person confirms it."))


def _event(subject: str):
    def record(obj, action, from_status, to_status, comment, actor) -> DisbursementEvent:
        return DisbursementEvent(subject=subject, subject_id=obj.id, project_id=obj.project_id, action=str(action),
                                 from_status=from_status, to_status=to_status, comment=comment, actor_id=actor.id)

    return record


def _roles_on_the_project(obj, user) -> frozenset:
    return project_acting_roles(db.session.get(Project, obj.project_id), user)


REPORT_MACHINE = StateMachine(
    name="progress_report",
    transitions={
        (ReportStatus.SUBMITTED, ReportAction.CONFIRM): Transition(
            ReportStatus.CONFIRMED, frozenset({Role.TOWN}), _l("Confirm the progress"), guards=(_not_the_reporter,)),
        (ReportStatus.SUBMITTED, ReportAction.RETURN): Transition(
            ReportStatus.RETURNED, frozenset({Role.TOWN}), _l("Return to the village"), guards=(_not_the_reporter,),
            needs_reason=True),
    },
    status_labels=ReportStatus.labels(), record_event=_event("report"), acting_roles=_roles_on_the_project,
    describe=lambda report: f"report #{report.id}",
    reason_message=_l("Give the reasons, so that the village knows what to change."),
)


# --- payment requests ------------------------------------------------------------------------

@dataclass(frozen=True)
class PaymentInput:
    tranche_id: int
    amount_fen: int
    payee_name: str
    payee_account: str
    payee_bank: str
    purpose: str
    purpose_detail: str = ""
    progress_report_id: int | None = None
    documents: dict = field(default_factory=dict)  # required document name -> attachment id


def negative_list_rule(*texts: str) -> str | None:
    """The rule of the national negative list a purpose falls under, or None."""
    text = " ".join(texts)
    for rule in settings.negative_list():
        if rule in text or any(word in text for word in settings.NEGATIVE_LIST_KEYWORDS.get(rule, ())):
            return rule
    return None


def _refuse_bad_purpose(purpose: str, detail: str) -> None:
    rule = negative_list_rule(purpose, detail)
    if rule is not None:
        raise DomainError(_l("Refused: this purpose falls under the national negative list (%(rule)s); project "
                             "money may not pay it.", rule=rule), field="purpose")
    if purpose not in settings.allowed_purposes():
        raise DomainError(_l("Choose the purpose from the list."), field="purpose")


def tranche_remaining_fen(tranche: Tranche) -> int:
    return tranche.amount_fen - paid_by_tranche([tranche.id]).get(tranche.id, 0)


def _refuse_unpayable(project: Project, tranche: Tranche, amount_fen: int) -> None:
    """What must hold both when a request is prepared and, again, when it is approved."""
    if project.status not in PAYABLE_STATUSES:
        raise DomainError(_l("The project is “%(status)s”: it cannot be paid.",
                             status=ProjectStatus(project.status).label))
    remaining = tranche_remaining_fen(tranche)
    if amount_fen > remaining:
        raise DomainError(_l("Tranche %(n)d allows %(remaining)s more; %(amount)s is too much.", n=tranche.position,
                             remaining=format_fen(remaining), amount=format_fen(amount_fen)), field="amount")
    outstanding = outstanding_for_project_fen(project.id)
    if amount_fen > outstanding:
        raise DomainError(_l("Only %(outstanding)s is still committed to the project; %(amount)s cannot be paid.",
                             outstanding=format_fen(outstanding), amount=format_fen(amount_fen)), field="amount")


def _refuse_incomplete_evidence(project: Project, tranche: Tranche, report_id: int | None, documents: dict) -> None:
    report = db.session.get(ProgressReport, report_id) if report_id else None
    if report is None or report.tranche_id != tranche.id:
        raise DomainError(_l("Choose the township-confirmed progress report of this tranche."),
                          field="progress_report_id")
    if report.status != ReportStatus.CONFIRMED:
        raise DomainError(_l("The progress report is not confirmed by the township yet."), field="progress_report_id")
    attached = _project_attachment_ids(project)
    missing = [name for name in tranche.required_documents if documents.get(name) not in attached]
    if missing:
        raise DomainError(_l("Attach every document the tranche requires (missing: %(missing)s).",
                             missing="、".join(missing)), field="documents")


def _project_attachment_ids(project: Project) -> set[int]:
    return set(db.session.execute(
        select(ProjectAttachment.id).where(ProjectAttachment.project_id == project.id)).scalars())


def _refuse_bad_payee(data: PaymentInput) -> None:
    if not data.payee_name.strip() or not data.payee_bank.strip():
        raise DomainError(_l("Give the payee's account name and bank."), field="payee_name")
    account = data.payee_account.replace(" ", "")
    if not account.isdigit() or not 8 <= len(account) <= 32:
        raise DomainError(_l("The account number has 8 to 32 digits."), field="payee_account")


def prepare_payment(project: Project, data: PaymentInput, *, actor) -> Disbursement:
    """A payment request for one tranche, with its evidence; nothing moves until another finance user
    approves it."""
    tranche = db.session.get(Tranche, data.tranche_id)
    if tranche is None or tranche.project_id != project.id:
        raise DomainError(_l("Choose a tranche of this project."), field="tranche_id")
    if not isinstance(data.amount_fen, int) or data.amount_fen <= 0:
        raise DomainError(_l("The amount must be greater than zero."), field="amount")
    _refuse_bad_purpose(data.purpose, data.purpose_detail)
    _refuse_bad_payee(data)
    _refuse_unpayable(project, tranche, data.amount_fen)
    _refuse_incomplete_evidence(project, tranche, data.progress_report_id, data.documents)
    payment = Disbursement(
        project_id=project.id, tranche_id=tranche.id, pool_id=project.pool_id, amount_fen=data.amount_fen,
        progress_report_id=data.progress_report_id, payee_name=data.payee_name.strip(),
        payee_account=data.payee_account.replace(" ", ""), payee_bank=data.payee_bank.strip(),
        purpose=data.purpose, purpose_detail=data.purpose_detail.strip(), documents=dict(data.documents),
        status=PaymentStatus.PREPARED, prepared_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    db.session.add(_event("payment")(payment, "prepare", "", PaymentStatus.PREPARED, "", actor))
    record_audit("disbursement.prepare", "disbursement", payment.id,
                 summary=f"{project.title} #{tranche.position} {format_fen(data.amount_fen)}",
                 after={"amount_fen": data.amount_fen, "tranche_id": tranche.id, "purpose": data.purpose}, actor=actor)
    return payment


class PaymentAction:
    APPROVE = "approve"
    RETURN = "return"
    DECLINE = "decline"
    RECORD_VOUCHER = "record_voucher"
    REVERSE = "reverse"


@dataclass(frozen=True)
class PaymentDecision(TransitionData):
    payment_reference: str = ""
    paid_on: date | None = None


def _four_eyes(payment: Disbursement, action, actor, data) -> None:
    """The one who prepared a payment never decides it, whatever roles they hold."""
    if payment.prepared_by_id == actor.id:
        raise DomainError(_l("You prepared this payment request: another finance user must decide it."))


def _evidence_and_money_still_hold(payment: Disbursement, action, actor, data) -> None:
    """Checked again inside the approving transaction, with the project row locked."""
    project = lock_row(Project, payment.project_id)
    tranche = payment.tranche
    _refuse_bad_purpose(payment.purpose, payment.purpose_detail)
    _refuse_unpayable(project, tranche, payment.amount_fen)
    _refuse_incomplete_evidence(project, tranche, payment.progress_report_id, payment.documents)
    if tranche.needs_acceptance and tranche.acceptance_confirmed_on is None:
        raise DomainError(_l("This tranche is paid after the county's acceptance of the works, which is not "
                             "recorded yet."))
    release_on = retention_release_on(tranche)
    if tranche.is_retention and (release_on is None or release_on > local_today()):
        raise DomainError(_l("The quality retention is released on %(date)s at the earliest.",
                             date=release_on.isoformat() if release_on else "—"))


def _pay_out_of_the_pool(payment: Disbursement, action, actor, data) -> None:
    """The ledger entry: the pool's balance and the project's commitment go down by the amount."""
    project = db.session.get(Project, payment.project_id)
    entry = append_entry(payment.pool_id, EntryKind.DISBURSEMENT, payment.amount_fen, actor=actor,
                         value_date=local_today(), project_id=payment.project_id, tranche_id=payment.tranche_id,
                         memo=f"{project.title} · {payment.tranche.description}")
    payment.ledger_entry_id, payment.approved_by_id = entry.id, actor.id
    if project.status == ProjectStatus.APPROVED:
        apply_transition(project, ProjectAction.START_WORKS, actor, by_service=True)


def _record_voucher(payment: Disbursement, action, actor, data: PaymentDecision) -> None:
    reference = (data.payment_reference or "").strip()
    if not reference or data.paid_on is None:
        raise DomainError(_l("Enter the voucher or bank slip number and its date."), field="payment_reference")
    refuse_future_date(data.paid_on, "paid_on")
    payment.payment_reference, payment.paid_on = reference[:100], data.paid_on


def _reverse_the_payment(payment: Disbursement, action, actor, data) -> None:
    reverse_entry(payment.pool_id, payment.ledger_entry_id, actor=actor, reason=data.comment.strip(),
                  value_date=local_today(), payment_reversal=True)


FINANCE = frozenset({Role.FINANCE})
PAYMENT_MACHINE = StateMachine(
    name="disbursement",
    transitions={
        (PaymentStatus.PREPARED, PaymentAction.APPROVE): Transition(
            PaymentStatus.APPROVED, FINANCE, _l("Approve and pay"),
            guards=(_four_eyes, _evidence_and_money_still_hold), effects=(_pay_out_of_the_pool,)),
        (PaymentStatus.PREPARED, PaymentAction.RETURN): Transition(
            PaymentStatus.RETURNED, FINANCE, _l("Return for changes"), guards=(_four_eyes,), needs_reason=True),
        (PaymentStatus.PREPARED, PaymentAction.DECLINE): Transition(
            PaymentStatus.DECLINED, FINANCE, _l("Decline"), guards=(_four_eyes,), needs_reason=True),
        (PaymentStatus.APPROVED, PaymentAction.RECORD_VOUCHER): Transition(
            PaymentStatus.PAID, FINANCE, _l("Record the voucher"), effects=(_record_voucher,)),
        (PaymentStatus.APPROVED, PaymentAction.REVERSE): Transition(
            PaymentStatus.REVERSED, FINANCE, _l("Reverse the payment"), needs_reason=True,
            effects=(_reverse_the_payment,)),
        (PaymentStatus.PAID, PaymentAction.REVERSE): Transition(
            PaymentStatus.REVERSED, FINANCE, _l("Reverse the payment"), needs_reason=True,
            effects=(_reverse_the_payment,)),
    },
    status_labels=PaymentStatus.labels(), record_event=_event("payment"), describe=lambda p: f"payment #{p.id}",
    reason_message=_l("Give the reason."),
)


def decide_payment(payment: Disbursement, action: str, *, actor, data: PaymentDecision = PaymentDecision()):
    return PAYMENT_MACHINE.apply(payment, action, actor, data)


def lock_payment(payment_id: int) -> Disbursement | None:
    return lock_row(Disbursement, payment_id)
