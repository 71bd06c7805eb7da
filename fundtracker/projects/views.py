"""Project pages: the library, the application form, the project page with its tabs, actions."""
from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.access import roles_required
from ..auth.roles import Role
from ..exports import Column, export_response
from ..extensions import db
from ..formatting import translated
from ..geo import services as geo
from ..htmx import redirect_after_post, render_page_or_fragment
from ..money import MoneyError, fen_to_yuan_decimal, format_fen, parse_yuan
from ..pools.models import FundPool, PoolStatus
from ..pools.services import pool_figures
from ..uploads import send_stored_file
from ..views_common import form_status, int_arg, page_number, press_button, save_form_or_render, submit_form
from . import services, workflow
from .applications import (
    COUNTY_FORM_FIELDS,
    EDITABLE_STATUSES,
    funding_gap_fen,
    save_application,
)
from .forms import ApplicationForm, ApprovalForm, AttachmentForm, CityFilingForm, TransitionForm
from .library import DEFAULT_SORT, SORTS, LibraryFilter, counts_by_status, library_page, library_select
from .loaders import acts_as_village, get_attachment_or_404, get_project_or_404, project_acting_roles
from .models import (
    ATTACHMENT_KIND_LABELS,
    DECISION_LABELS,
    FUNDING_SOURCES,
    PROJECT_CATEGORY_LABELS,
    PROJECT_STATUS_LABELS,
    ProjectAttachment,
    ProjectDecision,
    ProjectEvent,
    ProjectVersion,
)
from .tabs import ProjectTab, project_tabs

bp = Blueprint("projects", __name__, url_prefix="/projects")
village_only = roles_required(Role.VILLAGE)

OWN_TABS = (
    ProjectTab(_l("Application"), "projects.detail"),
    ProjectTab(_l("Timeline"), "projects.timeline"),
    ProjectTab(_l("Versions"), "projects.versions"),
    ProjectTab(_l("Attachments"), "projects.attachments"),
)


@bp.app_context_processor
def project_labels():
    return {"project_status_labels": PROJECT_STATUS_LABELS, "project_category_labels": PROJECT_CATEGORY_LABELS,
            "funding_sources": FUNDING_SOURCES, "attachment_kind_labels": ATTACHMENT_KIND_LABELS,
            "project_tabs": project_tabs(), "decision_labels": DECISION_LABELS,
            "county_form_fields": COUNTY_FORM_FIELDS}


def _money_arg(name: str) -> int | None:
    try:
        return parse_yuan(request.args[name]) if request.args.get(name, "").strip() else None
    except MoneyError:
        return None


def _library_filter() -> LibraryFilter:
    args = request.args
    return LibraryFilter(
        status=args.get("status", ""), township_id=int_arg("township"), village_id=int_arg("village"),
        category=args.get("category", ""), year=int_arg("year", 2000, 2100), pool_id=int_arg("pool"), min_fen=_money_arg("min"), max_fen=_money_arg("max"),
        text=args.get("q", "").strip()[:100], sort=_sort_arg(),
    )


def _sort_arg() -> str:
    """A column of SORTS, "-" in front for descending; anything else falls back to the newest first."""
    sort = request.args.get("sort", "")
    return sort if sort.lstrip("-") in SORTS else DEFAULT_SORT


@bp.route("")
@login_required
def library():
    filters = _library_filter()
    counts = counts_by_status(filters)
    page = library_page(filters, counts, page=page_number(), per_page=current_app.config["PAGE_SIZE"],
                        after=request.args.get("after"), before=request.args.get("before"))
    return render_template(
        "projects/library.html", page=page, filters=filters, counts=counts,
        townships=geo.township_choices(), villages=_village_filter_choices(filters),
        pools=db.session.execute(select(FundPool.id, FundPool.name).order_by(FundPool.name)).all(),
    )


def _village_filter_choices(filters) -> list[tuple[int, str]]:
    """A county has a thousand villages: the village filter lists those of the chosen township (or of the
    chosen village's), none before a township is chosen."""
    township_id = filters.township_id
    if township_id is None and filters.village_id is not None:
        township_id = geo.township_of_village(filters.village_id)
    return geo.village_choices(township_id) if township_id is not None else []


def _library_columns() -> list[Column]:
    """The export's columns; the labels are translated once per export, not once per row."""
    categories, statuses = translated(PROJECT_CATEGORY_LABELS), translated(PROJECT_STATUS_LABELS)
    return [
        Column(_l("Project"), lambda p: p.id),
        Column(_l("Project title"), lambda p: p.title),
        Column(_l("Township"), lambda p: p.village.township.name),
        Column(_l("Village"), lambda p: p.village.name),
        Column(_l("Category"), lambda p: categories.get(p.category, p.category)),
        Column(_l("Status"), lambda p: statuses.get(p.status, p.status)),
        Column(_l("Total investment (yuan)"), lambda p: fen_to_yuan_decimal(p.total_investment_fen)),
        Column(_l("Amount asked from the pool (yuan)"), lambda p: fen_to_yuan_decimal(p.requested_fen)),
        Column(_l("Approved amount (yuan)"), lambda p: fen_to_yuan_decimal(p.approved_amount_fen)),
        Column(_l("Fund pool"), lambda p: p.pool.name if p.pool else ""),
        Column(_l("Start date"), lambda p: p.start_on),
        Column(_l("End date"), lambda p: p.end_on),
    ]


@bp.route("/export.<fmt>")
@login_required
def export_library(fmt):
    rows = db.session.execute(library_select(_library_filter()).execution_options(yield_per=1000)).scalars()
    return export_response(fmt, "projects", _library_columns(), rows, sheet_title="项目库")


@bp.route("/new", methods=["GET", "POST"])
@village_only
def new_application():
    form = ApplicationForm()
    return save_form_or_render(
        form, "projects/application_form.html",
        lambda: save_application(None, form.to_input(), village_id=current_user.village_id, actor=current_user),
        lambda project: url_for("projects.detail", project_id=project.id),
        message=_("Draft saved."), project=None, summary=_summary(form),
    )


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@village_only
def edit_application(project_id):
    project = get_project_or_404(project_id)
    if project.status not in EDITABLE_STATUSES or not acts_as_village(current_user, project):
        flash(_("The application can only be changed by its own village, as a draft or after it was returned."),
              "warning")
        return redirect_after_post(url_for("projects.detail", project_id=project.id))
    form = ApplicationForm()
    if request.method == "GET":
        form.fill_from(project)
    return save_form_or_render(
        form, "projects/application_form.html",
        lambda: save_application(project, form.to_input(), village_id=project.village_id, actor=current_user),
        url_for("projects.detail", project_id=project.id),
        message=_("Draft saved."), project=project, summary=_summary(form),
    )


def _summary(form) -> dict:
    """The running totals; while an amount cannot be read the plan's balance is not shown (an unreadable
    total is not ¥0.00)."""
    data = form.to_input()
    nets = [revenue - cost for revenue, cost in data.year_plans]
    unreadable = form.unreadable_columns()
    return {"funding_total_fen": data.total_investment_fen - funding_gap_fen(data), "gap_fen": funding_gap_fen(data),
            "total_fen": data.total_investment_fen, "nets_fen": nets,
            "unreadable": not unreadable.isdisjoint(("total_investment_fen", *FUNDING_SOURCES))}


@bp.route("/application/check", methods=["POST"])
@village_only
def check_application():
    """HTMX: the running totals as the user types; with ?section=, that section validated in place too."""
    form = ApplicationForm()
    section = request.args.get("section")
    if section is None:
        return render_template("projects/_summary.html", summary=_summary(form))
    if section not in ApplicationForm.SECTIONS:
        abort(404)
    form.validate()
    return render_template("projects/_section_checked.html", form=form, section=section, summary=_summary(form))


def _project_page(project, tab_template: str, **context):
    context = {"project": project, "actions": workflow.available_actions(project, current_user),
               "active_endpoint": request.endpoint, **context}
    return render_page_or_fragment("projects/project.html", tab_template, tab_template=tab_template, **context)


@bp.route("/<int:project_id>")
@login_required
def detail(project_id):
    project = get_project_or_404(project_id)
    decisions = db.session.execute(
        select(ProjectDecision).where(ProjectDecision.project_id == project.id).order_by(ProjectDecision.id)
    ).scalars().all()
    last_event = db.session.execute(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return _project_page(project, "projects/_tab_application.html", decisions=decisions, last_event=last_event)


@bp.route("/<int:project_id>/timeline")
@login_required
def timeline(project_id):
    project = get_project_or_404(project_id)
    events = db.session.execute(
        select(ProjectEvent).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id)
    ).scalars().all()
    return _project_page(project, "projects/_tab_timeline.html", events=events)


@bp.route("/<int:project_id>/versions")
@login_required
def versions(project_id):
    project = get_project_or_404(project_id)
    rows = db.session.execute(
        select(ProjectVersion).where(ProjectVersion.project_id == project.id).order_by(ProjectVersion.number.desc())
    ).scalars().all()
    return _project_page(project, "projects/_tab_versions.html", versions=rows)


def _may_upload(project) -> bool:
    """County reviewers and approvers, the project's own village collective, and a township reviewer
    of its township; a user who is also a village collective attaches files only to their own village's."""
    if current_user.has_role(Role.REVIEWER, Role.APPROVER) or acts_as_village(current_user, project):
        return True
    return Role.TOWN in project_acting_roles(project, current_user) and not current_user.has_role(Role.VILLAGE)


@bp.route("/<int:project_id>/attachments", methods=["GET", "POST"])
@login_required
def attachments(project_id):
    project = get_project_or_404(project_id)
    form = AttachmentForm() if _may_upload(project) else None
    if request.method == "POST":
        if form is None:
            abort(403)
        if submit_form(form, lambda: services.add_application_attachment(
                project, form.file.data, kind=form.kind.data, actor=current_user)).done:
            flash(_("File attached."), "success")
            return redirect_after_post(url_for("projects.attachments", project_id=project.id))
    files = db.session.execute(
        select(ProjectAttachment).where(ProjectAttachment.project_id == project.id).order_by(ProjectAttachment.id)
    ).scalars().all()
    if project.status not in services.APPLICATION_FILE_STATUSES and request.method == "GET":
        form = None  # decided: the application's files are complete
    response = _project_page(project, "projects/_tab_attachments.html", files=files, form=form,
                             may_publish=services.may_publish_attachments(project, current_user),
                             may_remove=services.may_remove_attachments(project, current_user))
    response.status_code = form_status(form) if form is not None and request.method == "POST" else 200
    return response


@bp.route("/<int:project_id>/attachments/<int:attachment_id>/public", methods=["POST"])
@roles_required(Role.VILLAGE, Role.APPROVER)
def attachment_public(project_id, attachment_id):
    project = get_project_or_404(project_id)
    attachment = get_attachment_or_404(project, attachment_id)
    if not services.may_publish_attachments(project, current_user):
        abort(403)
    public = request.form.get("public") == "1"
    return press_button(lambda: services.set_attachment_public(project, attachment, public, actor=current_user),
                        url_for("projects.attachments", project_id=project.id),
                        _("The file is shown on the public page.") if public else _("The file is no longer public."))


@bp.route("/<int:project_id>/attachments/<int:attachment_id>/remove", methods=["POST"])
@village_only
def remove_attachment(project_id, attachment_id):
    project = get_project_or_404(project_id)
    attachment = get_attachment_or_404(project, attachment_id)
    return press_button(lambda: services.remove_draft_attachment(project, attachment, current_user),
                        url_for("projects.attachments", project_id=project.id), _("File removed."))


@bp.route("/<int:project_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(project_id, attachment_id):
    project = get_project_or_404(project_id)
    attachment = get_attachment_or_404(project, attachment_id)
    return send_stored_file(attachment.stored_name, attachment.content_type, attachment.original_name)


ACTION_FORMS = {workflow.Action.APPROVE: ApprovalForm, workflow.Action.FILE_WITH_CITY: CityFilingForm}


def _action_form(project, action: str):
    form = ACTION_FORMS.get(action, TransitionForm)()
    if isinstance(form, ApprovalForm) and request.method == "GET":
        form.approved_amount.data = project.requested_fen  # the usual decision: what was asked
    if isinstance(form, ApprovalForm):
        pools = db.session.execute(
            select(FundPool).where(FundPool.status == PoolStatus.OPEN).order_by(FundPool.name)).scalars().all()
        figures = pool_figures([pool.id for pool in pools])
        form.pool_id.choices = [
            (pool.id, _("%(pool)s · available %(amount)s", pool=pool.name, amount=format_fen(figures[pool.id].available_fen)))
            for pool in pools
        ]
    return form


def _transition_input(form) -> workflow.TransitionInput:
    extra = {name: form[name].data for name in ("approved_amount", "pool_id", "filed_on", "filing_reference")
             if name in form}
    return workflow.TransitionInput(
        comment=form.comment.data or "", approved_amount_fen=extra.get("approved_amount"),
        pool_id=extra.get("pool_id"), filed_on=extra.get("filed_on"), filing_reference=extra.get("filing_reference") or "",
    )


@bp.route("/<int:project_id>/actions/<action>", methods=["GET", "POST"])
@login_required
def take_action(project_id, action):
    if action not in workflow.PROJECT_MACHINE.actions():
        abort(404)
    action = workflow.Action(action)
    project = get_project_or_404(project_id, for_update=request.method == "POST")
    timeline_url = url_for("projects.timeline", project_id=project.id)
    if not workflow.PROJECT_MACHINE.may_ever_take(project, action, current_user):
        abort(403)
    try:
        transition = workflow.transition_for(project, action, current_user)
    except workflow.RoleNotAllowed:
        abort(403)
    except workflow.ActionNotOpen:
        if not _already_taken(project, action):
            raise
        flash(_("This was already recorded."), "info")
        return redirect_after_post(timeline_url)
    form = _action_form(project, action)
    outcome = submit_form(form, lambda: workflow.apply_transition(project, action, current_user,
                                                                   _transition_input(form)), timeline_url)
    if outcome.response is not None:
        return outcome.response
    if outcome.done:
        flash(_done_message(project, action, transition), "success")
        return redirect_after_post(timeline_url)
    return render_template("projects/action.html", project=project, action=action, transition=transition,
                           form=form), form_status(form)


DONE_MESSAGES = {
    workflow.Action.SUBMIT: _l("The application was submitted to the township."),
    workflow.Action.TOWN_PASS: _l("Passed to the county."),
    workflow.Action.TOWN_RETURN: _l("Returned to the village with your reasons."),
    workflow.Action.START_VETTING: _l("Sent to the county panel."),
    workflow.Action.REJECT: _l("The project was not approved; the village sees your reasons."),
    workflow.Action.RETURN: _l("Returned to the village for revision."),
}


def _done_message(project, action, transition) -> str:
    """What a person is told after an action, in the office's words (with the amount or reference it set);
    an action without words of its own (a new transition) is named by its label."""
    if action == workflow.Action.APPROVE:
        return _("Project approved: %(amount)s committed from %(pool)s.",
                 amount=format_fen(project.approved_amount_fen), pool=project.pool.name if project.pool else "—")
    if action == workflow.Action.FILE_WITH_CITY:
        return _("City filing recorded under %(reference)s.", reference=project.city_filing_reference)
    if action in DONE_MESSAGES:
        return str(DONE_MESSAGES[action])
    return _("Recorded: %(step)s.", step=transition.label)


def _already_taken(project, action) -> bool:
    """A second click on an action that the project's last step already recorded."""
    last = db.session.execute(
        select(ProjectEvent.action).where(ProjectEvent.project_id == project.id).order_by(ProjectEvent.id.desc()).limit(1)
    ).scalar_one_or_none()
    return last == action
