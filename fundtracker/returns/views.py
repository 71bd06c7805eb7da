"""Returns pages: the project's returns tab (table, SVG chart, plans), the return form (and its
correction), the distribution plan form with the remaining amount updated as the user types (HTMX),
the plan page with its steps and objections, and a pool's share rules."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.access import roles_required
from ..auth.roles import Role
from ..extensions import db
from ..htmx import redirect_after_post, render_page_or_fragment
from ..pools.models import FundPool
from ..projects.loaders import get_child_or_404, get_project_or_404
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions as project_actions
from ..views_common import form_status, int_arg, submit_form
from . import services
from .distribution import (
    PlanAction,
    PlanStep,
    apply_plan_action,
    available_actions,
    objections_of,
    record_objection,
)
from .figures import chart, period_rows, return_on_paid
from .forms import ObjectionForm, PlanForm, PlanStepForm, ReturnForm, RulesForm
from .models import PLAN_PARTS, PLAN_STATUS_LABELS, DistributionEvent, DistributionPlan, PeriodKind, ReturnRecord

bp = Blueprint("returns", __name__)
TABS = (ProjectTab(_l("Returns"), "returns.project_tab"),)


@bp.app_context_processor
def returns_labels():
    return {"plan_status_labels": PLAN_STATUS_LABELS, "plan_parts": PLAN_PARTS,
            "period_kind_labels": PeriodKind.labels(), "period_label": services.period_label}


@bp.route("/projects/<int:project_id>/returns")
@login_required
def project_tab(project_id):
    project = get_project_or_404(project_id)
    rows = period_rows(project)
    paid, on_paid = return_on_paid(rows, project.id)
    plans = services.plans_for(project.id)
    return render_page_or_fragment(
        "projects/project.html", "returns/_tab.html", tab_template="returns/_tab.html",
        active_endpoint="returns.project_tab", project=project, actions=project_actions(project, current_user),
        rows=rows, chart=chart(rows), paid_fen=paid, return_on_paid=on_paid, plans=plans,
        years=services.returns_by_year([project.id]),
        planned={plan.return_record_id for plan in plans if plan.status in services.LIVE_PLAN_STATUSES},
        may_report=services.may_report_returns(project, current_user))


def _correcting(project) -> ReturnRecord | None:
    record_id = int_arg("correct")
    return get_child_or_404(ReturnRecord, project, record_id) if record_id is not None else None


@bp.route("/projects/<int:project_id>/returns/new", methods=["GET", "POST"])
@roles_required(Role.VILLAGE)
def new_return(project_id):
    project = get_project_or_404(project_id)
    if not services.may_report_returns(project, current_user):
        abort(403)
    correcting = _correcting(project)
    form = ReturnForm()
    if request.method == "GET" and correcting is not None:
        form.period_kind.data, form.period_start.data = correcting.period_kind, correcting.period_start
    tab_url = url_for("returns.project_tab", project_id=project.id)
    outcome = submit_form(form, lambda: services.record_return(project, services.ReturnInput(
        period_kind=form.period_kind.data, period_start=form.period_start.data, revenue_fen=form.revenue.data,
        cost_fen=form.cost.data, note=form.note.data or ""), evidence=form.evidence.data, supersedes=correcting,
        reason=form.reason.data or "", actor=current_user), success_url=tab_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        return redirect_after_post(tab_url)
    return render_template("returns/return_form.html", project=project, form=form, correcting=correcting), \
        form_status(form)


def _plan_input(form) -> services.PlanInput:
    return services.PlanInput(**{column: form[column].data or 0 for column in PLAN_PARTS},
                              households=form.households.data or 0)


def _remaining_context(project, record, form) -> dict:
    data = _plan_input(form)
    total = sum(data.parts().values())
    problems = services.plan_problems(record.net_fen, services.cumulative_net_through(record), data,
                                      services.rules_for(project))
    return {"net_fen": record.net_fen, "total_fen": total, "remaining_fen": record.net_fen - total,
            "problems": [message for _, message in problems], "rules": services.rules_for(project)}


@bp.route("/projects/<int:project_id>/returns/<int:record_id>/plan", methods=["GET", "POST"])
@roles_required(Role.VILLAGE)
def new_plan(project_id, record_id):
    project = get_project_or_404(project_id)
    record = get_child_or_404(ReturnRecord, project, record_id)
    if not services.may_report_returns(project, current_user):
        abort(403)
    form = PlanForm()
    tab_url = url_for("returns.project_tab", project_id=project.id)
    outcome = submit_form(form, lambda: services.draft_plan(project, record, _plan_input(form), actor=current_user),
                          success_url=lambda plan: url_for("returns.plan", project_id=project.id, plan_id=plan.id)
                          if plan else tab_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        return redirect_after_post(url_for("returns.plan", project_id=project.id, plan_id=outcome.result.id))
    return render_template("returns/plan_form.html", project=project, record=record, form=form,
                           **_remaining_context(project, record, form)), form_status(form)


@bp.route("/projects/<int:project_id>/returns/<int:record_id>/plan/remaining", methods=["POST"])
@roles_required(Role.VILLAGE)
def remaining(project_id, record_id):
    """The remaining amount and the share rules as the user types (a GET-like answer: writes nothing)."""
    project = get_project_or_404(project_id)
    record = get_child_or_404(ReturnRecord, project, record_id)
    form = PlanForm()
    form.validate()
    return render_template("returns/_remaining.html", **_remaining_context(project, record, form))


def _plan_page(project, plan, status=200, objection_form=None):
    events = db.session.execute(select(DistributionEvent).where(DistributionEvent.plan_id == plan.id)
                                .order_by(DistributionEvent.id)).scalars().all()
    may_object = plan.status == "published" and services.may_report_returns(project, current_user)
    return render_template("returns/plan.html", project=project, plan=plan, events=events,
                           actions=available_actions(plan, current_user), objections=objections_of(plan),
                           objection_form=objection_form or (ObjectionForm(formdata=None) if may_object else None)
                           ), status


@bp.route("/projects/<int:project_id>/plans/<int:plan_id>")
@login_required
def plan(project_id, plan_id):
    project = get_project_or_404(project_id)
    return _plan_page(project, get_child_or_404(DistributionPlan, project, plan_id))


@bp.route("/projects/<int:project_id>/plans/<int:plan_id>/objections", methods=["POST"])
@roles_required(Role.VILLAGE)
def objection(project_id, plan_id):
    project = get_project_or_404(project_id)
    plan = get_child_or_404(DistributionPlan, project, plan_id)
    form = ObjectionForm()
    if submit_form(form, lambda: record_objection(plan, raised_on=form.raised_on.data, objection=form.objection.data,
                                                  answer=form.answer.data, actor=current_user)).done:
        return redirect_after_post(url_for("returns.plan", project_id=project.id, plan_id=plan.id))
    return _plan_page(project, plan, status=422, objection_form=form)


@bp.route("/projects/<int:project_id>/plans/<int:plan_id>/<action>", methods=["GET", "POST"])
@login_required
def plan_action(project_id, plan_id, action):
    project = get_project_or_404(project_id)
    plan = get_child_or_404(DistributionPlan, project, plan_id)
    try:
        action = PlanAction(action)
    except ValueError:
        abort(404)
    transition = dict(available_actions(plan, current_user)).get(action)
    if transition is None:
        abort(403)
    form = PlanStepForm()
    fields = PlanStepForm.FIELDS[action]
    outcome = submit_form(form, lambda: apply_plan_action(plan, action, current_user, PlanStep(
        comment=form.comment.data or "", payment_reference=form.payment_reference.data or "",
        **{name: form[name].data for name in fields if name != "payment_reference"})))
    if outcome.done:
        return redirect_after_post(url_for("returns.plan", project_id=project.id, plan_id=plan.id))
    return render_template("returns/plan_action.html", project=project, plan=plan, action=action,
                           transition=transition, form=form, fields=fields), form_status(form)


@bp.route("/returns/rules/<int:pool_id>", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def rules(pool_id):
    pool = db.get_or_404(FundPool, pool_id)
    form = RulesForm()
    if request.method == "GET":
        current = services.rules_for_pool(pool.id)
        form.min_collective.data = current.min_collective_bp // 100
        form.min_risk_reserve.data = current.min_risk_reserve_bp // 100
        form.max_dividends.data = current.max_dividend_bp // 100
    if submit_form(form, lambda: services.save_rules(pool.id, services.ShareRules(
            form.min_collective.data * 100, form.min_risk_reserve.data * 100, form.max_dividends.data * 100),
            actor=current_user)).done:
        return redirect_after_post(url_for("returns.rules", pool_id=pool.id))
    return render_template("returns/rules.html", pool=pool, form=form), form_status(form)
