"""Monitoring pages: the project's monitoring tab (indicators, status with reasons, readings,
warnings), an indicator's readings with the reading and correction form, warning actions, and the
county's warning board with its export."""
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import case, select

from ..auth.access import roles_required
from ..auth.roles import COUNTY_ROLES, Role
from ..clock import local_today
from ..exports import Column, export_response
from ..extensions import db
from ..geo.models import Township, Village
from ..htmx import redirect_after_post, render_page_or_fragment
from ..pools.models import FundPool
from ..projects.loaders import get_child_or_404, get_project_or_404, scoped_projects, scoped_via_project
from ..projects.models import PROJECT_CATEGORY_LABELS, Project
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions as project_actions
from ..views_common import form_status, int_arg, paginate, submit_form
from . import services
from .forms import IndicatorForm, ReadingForm, WarningActionForm
from .models import (
    OPEN_WARNING_STATUSES,
    WARNING_STATUS_LABELS,
    Indicator,
    ProjectWarning,
    Reading,
    ReadingSource,
    Reporter,
    ReportingInterval,
    WarningEvent,
)
from .board import colour_counts, flagged_query, flagged_total
from .status import COLOUR_LABELS, format_value, project_status
from .stored import stored_causes
from .warnings import WarningAction, WarningInput, apply_warning_action, available_actions, has_override

bp = Blueprint("monitoring", __name__)
BOARD_ROLES = (*COUNTY_ROLES, Role.TOWN)
EXPORT_CHUNK = 500
TABS = (ProjectTab(_l("Monitoring"), "monitoring.project_tab"),)


@bp.app_context_processor
def monitoring_labels():
    return {"colour_labels": COLOUR_LABELS, "warning_status_labels": WARNING_STATUS_LABELS,
            "reading_source_labels": ReadingSource.labels(), "reporter_labels": Reporter.labels(),
            "interval_labels": ReportingInterval.labels(), "indicator_value": format_value}


def _warnings_of(project) -> list[ProjectWarning]:
    return db.session.execute(select(ProjectWarning).where(ProjectWarning.project_id == project.id)
                              .order_by(ProjectWarning.id.desc())).scalars().all()


def _render_tab(project, status=200, indicator_form=None):
    if indicator_form is None and services.may_define_indicators(project, current_user):
        indicator_form = IndicatorForm(formdata=None)
    warnings = _warnings_of(project)
    return render_page_or_fragment(
        "projects/project.html", "monitoring/_tab.html", status=status, tab_template="monitoring/_tab.html",
        active_endpoint="monitoring.project_tab", project=project, actions=project_actions(project, current_user),
        monitoring=project_status(project, local_today()), monitored=services.is_monitored(project),
        indicator_form=indicator_form, templates=services.INDICATOR_TEMPLATES, warnings=warnings, today=local_today(),
        warning_actions={w.id: available_actions(w, current_user) for w in warnings},
        overridden={w.id for w in warnings if has_override(w)},
        may_record={indicator.id for indicator in _indicators(project)
                    if services.reading_source(project, indicator, current_user)},
    )


def _indicators(project) -> list[Indicator]:
    return db.session.execute(select(Indicator).where(Indicator.project_id == project.id)).scalars().all()


@bp.route("/projects/<int:project_id>/monitoring")
@login_required
def project_tab(project_id):
    return _render_tab(get_project_or_404(project_id))


@bp.route("/projects/<int:project_id>/monitoring/indicators", methods=["POST"])
@roles_required(Role.APPROVER)
def add_indicator(project_id):
    project = get_project_or_404(project_id)
    form = IndicatorForm()
    outcome = submit_form(form, lambda: services.add_indicator(project, services.IndicatorInput(
        name=form.name.data or "", unit=form.unit.data or "", minimum_centi=form.minimum.data,
        maximum_centi=form.maximum.data, reporting_interval=form.reporting_interval.data,
        reporter=form.reporter.data, monitored_from=form.monitored_from.data), actor=current_user))
    if outcome.done:
        return redirect_after_post(url_for("monitoring.project_tab", project_id=project.id))
    return _render_tab(project, status=422, indicator_form=form)


def _history(indicator) -> list[Reading]:
    return db.session.execute(select(Reading).where(Reading.indicator_id == indicator.id)
                              .order_by(Reading.read_on.desc(), Reading.id.desc())).scalars().all()


@bp.route("/projects/<int:project_id>/monitoring/indicators/<int:indicator_id>", methods=["GET", "POST"])
@login_required
def indicator(project_id, indicator_id):
    project = get_project_or_404(project_id)
    indicator = get_child_or_404(Indicator, project, indicator_id)
    correcting = None
    if (correct_id := int_arg("correct")) is not None:
        correcting = get_child_or_404(Reading, project, correct_id)
        if correcting.indicator_id != indicator.id:
            abort(404)
    source = services.reading_source(project, indicator, current_user) if services.is_monitored(project) else None
    form = ReadingForm() if source else None
    if request.method == "POST":
        if form is None:
            abort(403)
        outcome = submit_form(form, lambda: services.record_reading(
            project, indicator, value_centi=form.value.data, read_on=form.read_on.data, note=form.note.data or "",
            photo=form.photo.data, supersedes=correcting, reason=form.reason.data or "", actor=current_user))
        if outcome.done:
            return redirect_after_post(url_for("monitoring.indicator", project_id=project.id,
                                               indicator_id=indicator.id))
    history = _history(indicator)
    superseded = {reading.supersedes_id for reading in history if reading.supersedes_id}
    status = next(s for s in project_status(project, local_today()).indicators if s.indicator.id == indicator.id)
    return render_template("monitoring/indicator.html", project=project, indicator=indicator, status=status,
                           history=history, superseded=superseded, form=form, source=source,
                           correcting=correcting), form_status(form) if form else 200


@bp.route("/projects/<int:project_id>/warnings/<int:warning_id>/<action>", methods=["GET", "POST"])
@login_required
def warning_action(project_id, warning_id, action):
    project = get_project_or_404(project_id)
    warning = get_child_or_404(ProjectWarning, project, warning_id)
    try:
        action = WarningAction(action)
    except ValueError:
        abort(404)
    transition = dict(available_actions(warning, current_user)).get(action)
    if transition is None:
        abort(403)
    form = WarningActionForm()
    outcome = submit_form(form, lambda: apply_warning_action(warning, action, current_user, WarningInput(
        comment=form.comment.data or "", rectify_by=form.rectify_by.data,
        required_changes=form.required_changes.data or "")))
    if outcome.done:
        return redirect_after_post(url_for("monitoring.project_tab", project_id=project.id))
    events = db.session.execute(select(WarningEvent).where(WarningEvent.warning_id == warning.id)
                                .order_by(WarningEvent.id)).scalars().all()
    return render_template("monitoring/warning_action.html", project=project, warning=warning, action=action,
                           transition=transition, form=form, events=events), form_status(form)


# --- the county's warning board ---------------------------------------------------------------------

def _board_filters(stmt):
    if (township := int_arg("township")) is not None:
        stmt = stmt.where(Project.village_id.in_(select(Village.id).where(Village.township_id == township)))
    if (category := request.args.get("category")) in PROJECT_CATEGORY_LABELS:
        stmt = stmt.where(Project.category == category)
    if (pool := int_arg("pool")) is not None:
        stmt = stmt.where(Project.pool_id == pool)
    return stmt


def _board_scope():
    return _board_filters(scoped_projects()).with_only_columns(Project.id)


@bp.route("/monitoring")
@roles_required(*BOARD_ROLES)
def board():
    """The counts by colour (one grouped query) and the red and yellow projects a page at a time, from the
    stored colours; the open warnings below (their own ?warnings_page=)."""
    today = local_today()
    overdue_first = case((ProjectWarning.rectify_by < today, 0), else_=1)
    warnings = db.paginate(_board_filters(scoped_via_project(
        select(ProjectWarning).join(Project, Project.id == ProjectWarning.project_id)
        .where(ProjectWarning.status.in_(OPEN_WARNING_STATUSES)), ProjectWarning.project_id))
        .order_by(overdue_first, ProjectWarning.rectify_by, ProjectWarning.id),
        page=int_arg("warnings_page") or 1, per_page=current_app.config["PAGE_SIZE"], error_out=False)
    colour, counts = request.args.get("colour"), colour_counts(_board_scope())
    return render_template(
        "monitoring/board.html",
        flagged=paginate(flagged_query(_board_scope(), colour), total=flagged_total(counts, colour)),
        counts=counts, warnings=warnings, today=today, stored_causes=stored_causes,
        townships=db.session.execute(select(Township).order_by(Township.name)).scalars().all(),
        pools=db.session.execute(select(FundPool).order_by(FundPool.id)).scalars().all(),
        categories=PROJECT_CATEGORY_LABELS)


@bp.route("/monitoring/board.<fmt>")
@roles_required(*BOARD_ROLES)
def export_board(fmt):
    """Every red and yellow project under the filters, streamed from the stored colours in chunks."""
    locale = get_locale()
    columns = [
        Column(_("Project"), lambda row: row.project.title),
        Column(_("Township"), lambda row: row.project.village.township.name),
        Column(_("Village"), lambda row: row.project.village.name),
        Column(_("Category"), lambda row: str(PROJECT_CATEGORY_LABELS.get(row.project.category,
                                                                          row.project.category))),
        Column(_("Pool"), lambda row: row.project.pool.name if row.project.pool else ""),
        Column(_("Status"), lambda row: str(COLOUR_LABELS[row.colour])),
        Column(_("Causes"), lambda row: "\n".join(sentence for _colour, sentence in stored_causes(row, locale))),
    ]
    rows = db.session.execute(flagged_query(_board_scope(), request.args.get("colour"))
                              .execution_options(yield_per=EXPORT_CHUNK)).scalars()
    return export_response(fmt, "warning-board", columns, rows, sheet_title=_("Warning board"))
