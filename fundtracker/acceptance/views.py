"""Acceptance pages: the project's "Acceptance and assets" tab (checks, rectifications, assets, disposals,
exit and recoveries, with the actions each role may take), one small form page per action, and the
county's asset register (资产台账) with its export."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..auth.access import acting_roles, roles_required
from ..auth.roles import COUNTY_ROLES, Role
from ..exports import Column, export_response
from ..extensions import db
from ..geo.models import Township, Village
from ..htmx import redirect_after_post, render_page_or_fragment
from ..money import fen_to_yuan_decimal
from ..projects.loaders import get_child_or_404, get_project_or_404, scoped_via_project
from ..projects.models import Project
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions as project_actions
from ..views_common import form_status, int_arg, paginate, save_form_or_render, submit_form
from . import assets as asset_services
from . import checks, exits
from .forms import AnswerForm, AssetForm, CheckForm, DecisionForm, DisposalForm, ExitForm, ReasonForm, RecoveryForm
from .models import (
    CHECK_DOCUMENTS,
    AcceptanceEvent,
    AcceptanceStatus,
    AssetClass,
    AssetDisposal,
    AssetStatus,
    CheckLevel,
    CheckResult,
    DisposalKind,
    DisposalStatus,
    ExitReason,
    ExitStatus,
    JointDepartment,
    ProjectAsset,
    RecoveryKind,
)

bp = Blueprint("acceptance", __name__)
TABS = (ProjectTab(_l("Acceptance and assets"), "acceptance.project_tab"),)
REGISTER_ROLES = tuple(COUNTY_ROLES)
# What each row of the acceptance timeline did (the machines' labels, and the rows written outside them).
EVENT_LABELS = {
    **{str(action): transition.label
       for machine in (checks.ACCEPTANCE_MACHINE, asset_services.DISPOSAL_MACHINE, exits.EXIT_MACHINE)
       for (_status, action), transition in machine.transitions.items()},
    "propose": _l("Disposal proposed"),
    "trigger": _l("Exit: recover the funds"),
}


@bp.app_context_processor
def acceptance_labels():
    return {"acceptance_status_labels": AcceptanceStatus.labels(), "check_level_labels": CheckLevel.labels(),
            "check_result_labels": CheckResult.labels(), "joint_department_labels": JointDepartment.labels(),
            "asset_class_labels": AssetClass.labels(), "asset_status_labels": AssetStatus.labels(),
            "disposal_kind_labels": DisposalKind.labels(), "disposal_status_labels": DisposalStatus.labels(),
            "exit_reason_labels": ExitReason.labels(), "exit_status_labels": ExitStatus.labels(),
            "recovery_kind_labels": RecoveryKind.labels(), "check_documents": CHECK_DOCUMENTS,
            "event_labels": EVENT_LABELS}


def _tab_url(project) -> str:
    return url_for("acceptance.project_tab", project_id=project.id)


@bp.route("/projects/<int:project_id>/acceptance")
@login_required
def project_tab(project_id):
    project = get_project_or_404(project_id)
    acceptance = checks.acceptance_of(project)
    disposals = asset_services.disposals_of(project)
    project_exit = exits.exit_of(project)
    roles = acting_roles(current_user, project.village)
    events = db.session.execute(select(AcceptanceEvent).where(AcceptanceEvent.project_id == project.id)
                                .order_by(AcceptanceEvent.id)).scalars().all()
    return render_page_or_fragment(
        "projects/project.html", "acceptance/_tab.html", tab_template="acceptance/_tab.html",
        active_endpoint="acceptance.project_tab", project=project, actions=project_actions(project, current_user),
        acceptance=acceptance, checks=checks.checks_of(project), rectifications=checks.rectifications_of(project),
        assets=asset_services.assets_of(project), disposals=disposals, project_exit=project_exit,
        recoveries=exits.recoveries_of(project), events=events,
        gap=asset_services.settlement_gap(project),
        may_check=checks.may_check(project, current_user),
        may_answer=acceptance is not None and acceptance.status in (AcceptanceStatus.TOWN_FIX,
                                                                    AcceptanceStatus.COUNTY_FIX)
        and Role.VILLAGE in roles,
        may_register=asset_services.may_register_assets(project, current_user),
        may_dispose=asset_services.may_propose_disposal(project, current_user),
        disposal_actions={d.id: asset_services.available_disposal_actions(d, current_user) for d in disposals},
        may_exit=exits.may_exit(project, current_user), may_close=exits.may_close(project, current_user),
        may_write_off=project_exit is not None and project_exit.status == ExitStatus.OPEN and Role.APPROVER in roles,
        may_recover=exits.may_record_recovery(project, current_user) and (
            (project_exit is not None and project_exit.status == ExitStatus.OPEN)
            or any(d.status == DisposalStatus.APPROVED and d.kind == DisposalKind.SALE for d in disposals)),
        recoverable_fen=exits.recoverable_fen(project) if project.pool_id else 0)


def _form_page(form, project, *, title, action, fields, success_message, multipart=False, intro=None):
    return save_form_or_render(form, "acceptance/form.html", action, _tab_url(project), success_message,
                               project=project, title=title, fields=fields, multipart=multipart, intro=intro)


# --- acceptance checks and rectifications -------------------------------------------------------------

@bp.route("/projects/<int:project_id>/acceptance/check", methods=["GET", "POST"])
@roles_required(Role.TOWN, Role.APPROVER)
def check(project_id):
    project = get_project_or_404(project_id)
    if not checks.may_check(project, current_user):
        abort(403)
    level = checks.check_level_due(checks.acceptance_of(project))
    form = CheckForm()
    fields = ["checked_on", "members", "result", "findings", "rectify_by"]
    if level == CheckLevel.COUNTY:
        fields[2:2] = ["joint_departments"]
        fields.append("settlement")
    fields += list(CHECK_DOCUMENTS)
    uploads = {column: form[column].data for column in CHECK_DOCUMENTS}
    return _form_page(form, project, title=CheckLevel(level).label, fields=fields, multipart=True,
                      success_message=_("The check is recorded."),
                      action=lambda: checks.record_check(project, checks.CheckInput(
                          level=level, result=form.result.data, checked_on=form.checked_on.data,
                          members=form.members.data or "", joint_departments=tuple(form.joint_departments.data or ()),
                          findings=form.findings.data or "", settlement_fen=form.settlement.data,
                          rectify_by=form.rectify_by.data), actor=current_user, uploads=uploads))


@bp.route("/projects/<int:project_id>/acceptance/answer", methods=["GET", "POST"])
@roles_required(Role.VILLAGE)
def answer(project_id):
    project = get_project_or_404(project_id)
    acceptance = checks.acceptance_of(project)
    rectification = checks.unanswered_rectification(acceptance) if acceptance else None
    if rectification is None or Role.VILLAGE not in acting_roles(current_user, project.village):
        abort(403)
    form = AnswerForm()
    return _form_page(form, project, title=_l("Answer the rectification"), fields=["answered_on", "answer", "evidence"],
                      multipart=True, intro=rectification, success_message=_("The answer is recorded."),
                      action=lambda: checks.answer_rectification(
                          project, answer=form.answer.data, answered_on=form.answered_on.data, actor=current_user,
                          upload=form.evidence.data))


# --- assets and disposals ----------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/assets/new", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def new_asset(project_id):
    project = get_project_or_404(project_id)
    if not asset_services.may_register_assets(project, current_user):
        abort(403)
    form = AssetForm()
    outcome = submit_form(form, lambda: asset_services.register_asset(project, asset_services.AssetInput(
        name=form.name.data or "", asset_class=form.asset_class.data, value_fen=form.value.data,
        owner=form.owner.data or "", household_count=form.household_count.data,
        upkeep_party=form.upkeep_party.data or "", upkeep_duties=form.upkeep_duties.data or "",
        registered_on=form.registered_on.data, certificate_reference=form.certificate_reference.data or ""),
        actor=current_user), success_url=_tab_url(project))
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        flash(_("The asset is registered."), "success")
        if warning := asset_services.settlement_warning(asset_services.settlement_gap(project)):
            flash(warning, "warning")
        return redirect_after_post(_tab_url(project))
    return render_template("acceptance/form.html", form=form, project=project, title=_l("Register an asset"),
                           fields=["name", "asset_class", "value", "owner", "household_count", "upkeep_party",
                                   "upkeep_duties", "registered_on", "certificate_reference"],
                           multipart=False, intro=None), form_status(form)


@bp.route("/projects/<int:project_id>/assets/<int:asset_id>/dispose", methods=["GET", "POST"])
@roles_required(Role.VILLAGE, Role.APPROVER)
def dispose(project_id, asset_id):
    project = get_project_or_404(project_id)
    asset = get_child_or_404(ProjectAsset, project, asset_id)
    if not asset_services.may_propose_disposal(project, current_user):
        abort(403)
    form = DisposalForm()
    return _form_page(form, project, title=_l("Propose a disposal of %(asset)s", asset=asset.name),
                      fields=["kind", "reason", "meeting_on", "meeting_reference", "minutes"], multipart=True,
                      success_message=_("The disposal waits for the county's approval."),
                      action=lambda: asset_services.propose_disposal(project, asset, asset_services.DisposalInput(
                          kind=form.kind.data, reason=form.reason.data or "", meeting_on=form.meeting_on.data,
                          meeting_reference=form.meeting_reference.data or ""), actor=current_user,
                          minutes=form.minutes.data))


@bp.route("/projects/<int:project_id>/disposals/<int:disposal_id>/<action>", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def decide_disposal(project_id, disposal_id, action):
    project = get_project_or_404(project_id)
    disposal = get_child_or_404(AssetDisposal, project, disposal_id)
    transition = dict(asset_services.DISPOSAL_MACHINE.available(disposal, current_user)).get(action)
    if transition is None:
        abort(403 if action in asset_services.DISPOSAL_MACHINE.actions() else 404)
    form = DecisionForm()
    return _form_page(form, project, title=transition.label, fields=["comment"], intro=disposal,
                      success_message=_("The decision is recorded."),
                      action=lambda: asset_services.decide_disposal(disposal, action, actor=current_user,
                                                                    comment=form.comment.data or ""))


# --- exit, recoveries, closing -----------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/exit", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def exit_project(project_id):
    project = get_project_or_404(project_id)
    if not exits.may_exit(project, current_user):
        abort(403)
    form = ExitForm()
    return _form_page(form, project, title=_l("Exit: recover the funds"), fields=["reason_kind", "reason"],
                      success_message=_("The project has exited; its outstanding commitment is released."),
                      action=lambda: exits.trigger_exit(project, reason_kind=form.reason_kind.data,
                                                        reason=form.reason.data or "", actor=current_user))


@bp.route("/projects/<int:project_id>/exit/write_off", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def write_off(project_id):
    project = get_project_or_404(project_id)
    project_exit = exits.exit_of(project)
    if project_exit is None or not dict(exits.EXIT_MACHINE.available(project_exit, current_user)).get("write_off"):
        abort(403)
    form = ReasonForm()
    return _form_page(form, project, title=_l("Write off the rest"), fields=["reason"],
                      success_message=_("The rest is written off."),
                      action=lambda: exits.write_off(project_exit, reason=form.reason.data or "", actor=current_user))


def _approved_sales(project) -> list[AssetDisposal]:
    return [d for d in asset_services.disposals_of(project)
            if d.status == DisposalStatus.APPROVED and d.kind == DisposalKind.SALE]


@bp.route("/projects/<int:project_id>/recoveries/new", methods=["GET", "POST"])
@roles_required(Role.FINANCE)
def new_recovery(project_id):
    project = get_project_or_404(project_id)
    if not exits.may_record_recovery(project, current_user):
        abort(403)
    form = RecoveryForm()
    form.disposal_id.choices = [(0, "—"), *((d.id, f"{d.asset.name} #{d.id}") for d in _approved_sales(project))]
    return _form_page(form, project, title=_l("Record a recovery"),
                      fields=["kind", "amount", "received_on", "reference", "note", "disposal_id"],
                      success_message=_("The recovery is recorded in the pool's ledger."),
                      action=lambda: exits.record_recovery(project, exits.RecoveryInput(
                          kind=form.kind.data, amount_fen=form.amount.data, received_on=form.received_on.data,
                          reference=form.reference.data or "", note=form.note.data or "",
                          disposal_id=form.disposal_id.data or None), actor=current_user))


@bp.route("/projects/<int:project_id>/close", methods=["GET", "POST"])
@roles_required(Role.APPROVER)
def close(project_id):
    project = get_project_or_404(project_id)
    if not exits.may_close(project, current_user):
        abort(403)
    form = ReasonForm()
    return _form_page(form, project, title=_l("Close the project"), fields=["reason"],
                      success_message=_("The project is closed; any remaining commitment is released."),
                      action=lambda: exits.close_project(project, reason=form.reason.data or "", actor=current_user))


# --- the county's asset register -----------------------------------------------------------------------

def _register_query():
    stmt = scoped_via_project(select(ProjectAsset).join(Village, Village.id == ProjectAsset.village_id)
                              .options(joinedload(ProjectAsset.project).joinedload(Project.village)
                                       .joinedload(Village.township)), ProjectAsset.project_id)
    if (asset_class := request.args.get("asset_class")) in AssetClass.labels():
        stmt = stmt.where(ProjectAsset.asset_class == asset_class)
    if (township := int_arg("township")) is not None:
        stmt = stmt.where(Village.township_id == township)
    if (village := int_arg("village")) is not None:
        stmt = stmt.where(ProjectAsset.village_id == village)
    return stmt.order_by(ProjectAsset.id)


@bp.route("/assets")
@roles_required(*REGISTER_ROLES)
def register():
    return render_template(
        "acceptance/register.html", page=paginate(_register_query()),
        townships=db.session.execute(select(Township).order_by(Township.name)).scalars().all(),
        villages=db.session.execute(select(Village).order_by(Village.name)).scalars().all())


@bp.route("/assets/register.<fmt>")
@roles_required(*REGISTER_ROLES)
def export_register(fmt):
    columns = [
        Column(_("Asset"), lambda a: a.name),
        Column(_("Class"), lambda a: str(AssetClass(a.asset_class).label)),
        Column(_("Value (yuan)"), lambda a: fen_to_yuan_decimal(a.value_fen)),
        Column(_("Township"), lambda a: a.project.village.township.name),
        Column(_("Village"), lambda a: a.project.village.name),
        Column(_("Project"), lambda a: a.project.title),
        Column(_("Owner"), lambda a: a.owner),
        Column(_("Households"), lambda a: a.household_count),
        Column(_("Upkeep party"), lambda a: a.upkeep_party),
        Column(_("Upkeep duties"), lambda a: a.upkeep_duties),
        Column(_("Registered on"), lambda a: a.registered_on),
        Column(_("Certificate reference"), lambda a: a.certificate_reference),
        Column(_("Status"), lambda a: str(AssetStatus(a.status).label)),
    ]
    rows = db.session.execute(_register_query().execution_options(yield_per=1000)).scalars()
    return export_response(fmt, "asset-register", columns, rows, sheet_title=_("Asset register"))
