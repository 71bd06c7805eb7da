"""Disbursement pages: the project's tranches tab (plan, progress, payments), the plan editor,
progress reports, payment requests, and the finance approval queue (HTMX rows)."""
from flask import Blueprint, abort, flash, make_response, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..auth.access import roles_required
from ..auth.roles import Role
from ..database import utcnow
from ..exports import Column, export_response, local_time_column
from ..extensions import db
from ..idempotency import earlier_result_url, new_form_token
from ..htmx import is_htmx, redirect_after_post, render_page_or_fragment
from ..money import fen_to_yuan_decimal
from ..pools.models import FundPool
from ..pools.services import figures_for, outstanding_for_project_fen
from ..projects.loaders import acts_as_village, get_child_or_404, get_project_or_404, project_acting_roles
from ..projects.models import Project, ProjectAttachment
from ..projects.workflow import available_actions
from ..statemachine import ActionNotOpen, RoleNotAllowed
from ..views_common import paginate, save_form_or_render, submit_form
from . import services
from .forms import (
    AcceptanceForm,
    CommentForm,
    DecisionForm,
    GeneratePlanForm,
    PlanForm,
    ProgressReportForm,
    VoucherForm,
    payment_form,
    split_documents,
)
from .models import Disbursement, DisbursementEvent, PaymentStatus, ProgressReport, ReportStatus, Tranche

bp = Blueprint("disbursements", __name__)
finance_only = roles_required(Role.FINANCE)
TAB_TEMPLATE = "disbursements/_tab_tranches.html"


@bp.app_context_processor
def disbursement_labels():
    return {"payment_status_labels": PaymentStatus.labels(), "report_status_labels": ReportStatus.labels(),
            "new_token": new_form_token}


# --- the project's tranches tab -----------------------------------------------------------------

def _tab_context(project: Project) -> dict:
    tranches = services.tranches_of(project)
    paid = services.paid_by_tranche(t.id for t in tranches)
    reports = db.session.execute(select(ProgressReport).where(ProgressReport.project_id == project.id)
                                 .order_by(ProgressReport.id.desc())).scalars().all()
    payments = db.session.execute(select(Disbursement).where(Disbursement.project_id == project.id)
                                  .order_by(Disbursement.id.desc())).scalars().all()
    roles = project_acting_roles(project, current_user)
    return {
        "project": project, "tranches": tranches, "paid": paid, "reports": reports, "payments": payments,
        "planned_fen": sum(t.amount_fen for t in tranches), "paid_fen": sum(paid.values()),
        "outstanding_fen": outstanding_for_project_fen(project.id),
        "release_on": {t.id: services.retention_release_on(t) for t in tranches if t.is_retention},
        "report_form": _report_form(project, tranches) if acts_as_village(current_user, project) else None,
        "review_roles": roles, "is_finance": Role.FINANCE in roles, "is_approver": Role.APPROVER in roles,
        "generate_form": GeneratePlanForm() if Role.FINANCE in roles and not tranches else None,
    }


def _report_form(project, tranches, formdata=None):
    form = ProgressReportForm(formdata=formdata) if formdata is not None else ProgressReportForm()
    form.tranche_id.choices = [(t.id, f"{t.position}. {t.description}") for t in tranches]
    return form


def _render_tab(project, status=200, **extra):
    context = {**_tab_context(project), **extra}
    return render_page_or_fragment("projects/project.html", TAB_TEMPLATE, status=status, tab_template=TAB_TEMPLATE,
                                   active_endpoint="disbursements.tranches",
                                   actions=available_actions(project, current_user), **context)


@bp.route("/projects/<int:project_id>/tranches")
@login_required
def tranches(project_id):
    return _render_tab(get_project_or_404(project_id))


@bp.route("/projects/<int:project_id>/tranches/generate", methods=["POST"])
@finance_only
def generate_plan(project_id):
    project = get_project_or_404(project_id, for_update=True)
    form = GeneratePlanForm()
    outcome = submit_form(form, lambda: services.save_plan(
        project, services.default_plan(project, form.retention_percent.data or 0), actor=current_user))
    if outcome.done:
        flash(_("The tranche plan was made from the template."), "success")
        return redirect_after_post(url_for("disbursements.tranches", project_id=project.id))
    return _render_tab(project, status=422, generate_form=form)


def _plan_inputs(form) -> list[services.TrancheInput]:
    return [services.TrancheInput(row.form.description.data or "", row.form.amount.data or 0, row.form.planned_on.data,
                                  split_documents(row.form.documents.data), bool(row.form.needs_acceptance.data),
                                  bool(row.form.is_retention.data))
            for row in form.tranches if (row.form.description.data or "").strip()]


def _filled_plan_form(project) -> PlanForm:
    form = PlanForm(formdata=None)
    for row, tranche in zip(form.tranches, services.tranches_of(project)):
        row.form.description.data, row.form.amount.data = tranche.description, tranche.amount_fen
        row.form.planned_on.data, row.form.documents.data = tranche.planned_on, "、".join(tranche.required_documents)
        row.form.needs_acceptance.data, row.form.is_retention.data = tranche.needs_acceptance, tranche.is_retention
    return form


@bp.route("/projects/<int:project_id>/tranches/plan", methods=["GET", "POST"])
@finance_only
def edit_plan(project_id):
    project = get_project_or_404(project_id, for_update=request.method == "POST")
    form = PlanForm() if request.method == "POST" else _filled_plan_form(project)
    return save_form_or_render(
        form, "disbursements/plan_form.html",
        lambda: services.save_plan(project, _plan_inputs(form), actor=current_user, reason=form.reason.data or ""),
        url_for("disbursements.tranches", project_id=project.id), message=_("Tranche plan saved."),
        project=project, paid=services.paid_by_tranche(t.id for t in services.tranches_of(project)))


@bp.route("/projects/<int:project_id>/progress-reports", methods=["POST"])
@login_required
def submit_report(project_id):
    project = get_project_or_404(project_id)
    if not acts_as_village(current_user, project):
        abort(403)
    form = _report_form(project, services.tranches_of(project))
    outcome = submit_form(form, lambda: services.submit_progress_report(
        project, get_child_or_404(Tranche, project, form.tranche_id.data), progress_percent=form.progress_percent.data,
        narrative=form.narrative.data, uploads=[f for f in form.files.data or [] if f.filename], actor=current_user))
    if outcome.done:
        flash(_("Progress report sent to the township."), "success")
        return redirect_after_post(url_for("disbursements.tranches", project_id=project.id))
    return _render_tab(project, status=422, report_form=form)


@bp.route("/projects/<int:project_id>/progress-reports/<int:report_id>/<action>", methods=["POST"])
@login_required
def review_report(project_id, report_id, action):
    project = get_project_or_404(project_id)
    report = get_child_or_404(ProgressReport, project, report_id)
    if action not in services.REPORT_MACHINE.actions():
        abort(404)
    try:
        services.REPORT_MACHINE.transition_for(report, action, current_user)
    except RoleNotAllowed:
        abort(403)
    form = CommentForm()
    outcome = submit_form(form, lambda: services.REPORT_MACHINE.apply(
        report, action, current_user, services.TransitionData(comment=form.comment.data or "")))
    if outcome.done:
        flash(_("Recorded."), "success")
        return redirect_after_post(url_for("disbursements.tranches", project_id=project.id))
    return _render_tab(project, status=422, review_errors={report.id: form.form_errors + form.comment.errors})


@bp.route("/projects/<int:project_id>/tranches/<int:tranche_id>/acceptance", methods=["POST"])
@roles_required(Role.APPROVER)
def confirm_acceptance(project_id, tranche_id):
    project = get_project_or_404(project_id)
    tranche = get_child_or_404(Tranche, project, tranche_id)
    form = AcceptanceForm()
    outcome = submit_form(form, lambda: services.confirm_acceptance(tranche, actor=current_user,
                                                                    accepted_on=form.accepted_on.data))
    if outcome.done:
        flash(_("The acceptance is recorded."), "success")
        return redirect_after_post(url_for("disbursements.tranches", project_id=project.id))
    return _render_tab(project, status=422, acceptance_errors={tranche.id: _errors_of(form)})


def _errors_of(form) -> list:
    return [*form.form_errors, *(error for field in form for error in field.errors)]


# --- payment requests ---------------------------------------------------------------------------

def _attachment_choices(project) -> list:
    rows = db.session.execute(select(ProjectAttachment.id, ProjectAttachment.original_name)
                              .where(ProjectAttachment.project_id == project.id).order_by(ProjectAttachment.id)).all()
    return [(0, "—"), *[(attachment_id, name) for attachment_id, name in rows]]


def _build_payment_form(project, tranche):
    form = payment_form(tranche.required_documents)
    form.tranche_id.choices = [(tranche.id, f"{tranche.position}. {tranche.description}")]
    reports = db.session.execute(select(ProgressReport).where(
        ProgressReport.tranche_id == tranche.id, ProgressReport.status == ReportStatus.CONFIRMED)
        .order_by(ProgressReport.id.desc())).scalars().all()
    form.progress_report_id.choices = [(0, "—"), *[(r.id, f"#{r.id} · {r.progress_percent}% · "
                                                          f"{r.created_at:%Y-%m-%d}") for r in reports]]
    choices = _attachment_choices(project)
    for index, _name in enumerate(tranche.required_documents):
        form[f"document_{index}"].choices = choices
    if request.method == "GET":
        form.tranche_id.data = tranche.id
        form.amount.data = services.tranche_remaining_fen(tranche)
        form.progress_report_id.data = reports[0].id if reports else 0
    return form


def _payment_input(form, tranche) -> services.PaymentInput:
    documents = {name: form[f"document_{index}"].data for index, name in enumerate(tranche.required_documents)
                 if form[f"document_{index}"].data}
    return services.PaymentInput(
        tranche_id=tranche.id, amount_fen=form.amount.data, payee_name=form.payee_name.data or "",
        payee_account=form.payee_account.data or "", payee_bank=form.payee_bank.data or "",
        purpose=form.purpose.data or "", purpose_detail=form.purpose_detail.data or "",
        progress_report_id=form.progress_report_id.data or None, documents=documents)


@bp.route("/projects/<int:project_id>/tranches/<int:tranche_id>/payment", methods=["GET", "POST"])
@finance_only
def prepare_payment(project_id, tranche_id):
    project = get_project_or_404(project_id, for_update=request.method == "POST")
    tranche = get_child_or_404(Tranche, project, tranche_id)
    form = _build_payment_form(project, tranche)
    return save_form_or_render(
        form, "disbursements/payment_form.html", lambda: services.prepare_payment(
            project, _payment_input(form, tranche), actor=current_user),
        lambda payment: url_for("disbursements.payment", payment_id=payment.id) if payment else
        url_for("disbursements.tranches", project_id=project.id),
        message=_("Payment request prepared; another finance user approves it."),
        project=project, tranche=tranche, remaining_fen=services.tranche_remaining_fen(tranche))


def get_payment_or_404(payment_id: int, *, for_update: bool = False) -> Disbursement:
    """A payment request of a project in the request's scope (locked for a decision), else 404."""
    payment = db.session.get(Disbursement, payment_id)
    if payment is None:
        abort(404)
    get_project_or_404(payment.project_id)
    return services.lock_payment(payment_id) if for_update else payment


@bp.route("/disbursements/<int:payment_id>")
@roles_required(Role.FINANCE, Role.APPROVER, Role.ADMIN)
def payment(payment_id):
    payment = get_payment_or_404(payment_id)
    events = db.session.execute(select(DisbursementEvent).where(
        DisbursementEvent.subject == "payment", DisbursementEvent.subject_id == payment.id)
        .order_by(DisbursementEvent.id)).scalars().all()
    return render_template("disbursements/payment.html", payment=payment, events=events,
                           project=db.session.get(Project, payment.project_id),
                           actions=services.PAYMENT_MACHINE.available(payment, current_user),
                           decision_form=DecisionForm(), voucher_form=VoucherForm())


@bp.route("/disbursements/<int:payment_id>/<action>", methods=["POST"])
@finance_only
def decide(payment_id, action):
    """Approve, return, decline, record the voucher or reverse. From the queue (htmx) the row is
    replaced in place with the pool's figures out of band; a plain form is redirected (303)."""
    if action not in services.PAYMENT_MACHINE.actions():
        abort(404)
    payment = get_payment_or_404(payment_id, for_update=True)
    form = VoucherForm() if action == services.PaymentAction.RECORD_VOUCHER else DecisionForm()
    back = request.form.get("back") == "queue"
    result_url = url_for("disbursements.queue") if back else url_for("disbursements.payment", payment_id=payment.id)
    try:
        services.PAYMENT_MACHINE.transition_for(payment, action, current_user)
    except RoleNotAllowed:
        abort(403)
    except ActionNotOpen as error:
        if (earlier := earlier_result_url(form.token.data)) is not None:
            return _already_recorded(payment, back, earlier or result_url)
        return _decision_answer(payment, back, result_url, status=409, error=error.message)
    outcome = submit_form(form, lambda: services.decide_payment(payment, action, actor=current_user,
                                                                data=_decision_input(form)), result_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        if not is_htmx():
            flash(_("Recorded."), "success")
        return _decision_answer(payment, back, result_url)
    return _decision_answer(payment, back, result_url, status=422, error=" ".join(map(str, _errors_of(form))))


def _already_recorded(payment, back: bool, result_url: str):
    """A repeated click (the same one-time form) gets the first click's answer, not an error."""
    if is_htmx():
        return _decision_answer(payment, back, result_url)
    flash(_("This form was already submitted; it was recorded once."), "info")
    return redirect_after_post(result_url)


def _decision_input(form) -> services.PaymentDecision:
    voucher = isinstance(form, VoucherForm)
    return services.PaymentDecision(comment=form.comment.data or "",
                                    payment_reference=(form.payment_reference.data or "") if voucher else "",
                                    paid_on=form.paid_on.data if voucher else None)


def _decision_answer(payment, back: bool, result_url: str, *, status: int = 200, error=None):
    if is_htmx():
        db.session.refresh(payment)
        pool = db.session.get(FundPool, payment.pool_id)
        return make_response(render_template("disbursements/_queue_row_answer.html", row=_queue_row(payment),
                                             pool=pool, figures=figures_for(pool), error=error,
                                             waiting=_waiting_count()), status)
    if error:
        flash(error, "danger")
    return redirect_after_post(result_url)


# --- the finance approval queue -----------------------------------------------------------------

def _waiting_count() -> int:
    return db.session.execute(select(func.count(Disbursement.id))
                              .where(Disbursement.status == PaymentStatus.PREPARED)).scalar_one()


def _queue_row(payment: Disbursement, project: Project | None = None) -> dict:
    return {"payment": payment, "project": project or db.session.get(Project, payment.project_id),
            "complete": len(payment.documents) >= len(payment.tranche.required_documents)}


@bp.route("/disbursements")
@finance_only
def queue():
    page = paginate(select(Disbursement).where(Disbursement.status == PaymentStatus.PREPARED)
                    .order_by(Disbursement.id))
    projects = {p.id: p for p in db.session.execute(
        select(Project).where(Project.id.in_([d.project_id for d in page.items]))).scalars()}
    pools = {p.id: p for p in db.session.execute(
        select(FundPool).where(FundPool.id.in_({d.pool_id for d in page.items}))).scalars()}
    rows = [_queue_row(d, projects[d.project_id]) for d in page.items]
    return render_page_or_fragment("disbursements/queue.html", "disbursements/_queue.html", requests=page, rows=rows,
                                   pools=pools, now=utcnow(), waiting=page.total)


LEDGER_COLUMNS = [
    Column(_l("Payment request"), lambda d: d.id),
    Column(_l("Project"), lambda d: d.project_id),
    Column(_l("Tranche"), lambda d: d.tranche.position),
    Column(_l("Amount (yuan)"), lambda d: fen_to_yuan_decimal(d.amount_fen), total=True),
    Column(_l("Status"), lambda d: str(PaymentStatus(d.status).label)),
    Column(_l("Purpose"), lambda d: d.purpose),
    Column(_l("Payee (account name)"), lambda d: d.payee_name),
    Column(_l("Bank"), lambda d: d.payee_bank),
    Column(_l("Prepared by"), lambda d: d.prepared_by.display_name),
    Column(_l("Voucher or bank slip number"), lambda d: d.payment_reference),
    Column(_l("Date paid"), lambda d: d.paid_on),
    local_time_column(_l("Recorded at"), lambda d: d.created_at),
]


@bp.route("/disbursements/ledger.<fmt>")
@roles_required(Role.FINANCE, Role.APPROVER, Role.ADMIN)
def export_ledger(fmt):
    """资金拨付台账: every payment request, streamed."""
    rows = db.session.execute(select(Disbursement).order_by(Disbursement.id).execution_options(yield_per=1000))
    return export_response(fmt, "disbursements", LEDGER_COLUMNS, rows.scalars(), sheet_title="资金拨付台账")

