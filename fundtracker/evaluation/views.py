"""Evaluation pages: the project's tab 绩效评价 (its years and versions, the figures with the score and
grade, the buttons of its machine), opening a year, the county's draft (comment and adjustments), the
actions, the year's list for the county, the rankings with their Excel export, and a village's history."""
from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ..auth.access import can_see_village, request_scope, roles_required
from ..auth.roles import COUNTY_ROLES, Role
from ..clock import local_today
from ..exports import Column, export_response
from ..extensions import db
from ..geo.models import Township, Village
from ..htmx import redirect_after_post, render_page_or_fragment
from ..projects.loaders import get_child_or_404, get_project_or_404, scoped_projects
from ..projects.models import Project
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions as project_actions
from ..vetting.scoring import format_points, points
from ..views_common import form_status, int_arg, submit_form
from . import services
from .forms import ActionForm, CountyDraftForm, OpenForm
from .models import EVALUATION_STATUS_LABELS, ProjectEvaluation
from .ranking import published_scores, village_history, village_ranking
from .settings import DIMENSION_LABELS, INDICATOR_BY_KEY, grade_label

bp = Blueprint("evaluation", __name__)
TABS = (ProjectTab(_l("Performance evaluation"), "evaluation.project_tab"),)
LIST_ROLES = (*COUNTY_ROLES, Role.TOWN)


@bp.app_context_processor
def evaluation_labels():
    return {"evaluation_status_labels": EVALUATION_STATUS_LABELS, "grade_label": grade_label,
            "dimension_labels": DIMENSION_LABELS, "evaluation_indicators": INDICATOR_BY_KEY,
            "score_points": format_points}


def _selected(project, evaluations) -> ProjectEvaluation | None:
    chosen = int_arg("evaluation")
    if chosen is not None:
        return get_child_or_404(ProjectEvaluation, project, chosen)
    return evaluations[0] if evaluations else None


def _open_form(project) -> OpenForm | None:
    """The form to open a year, for those who may, while a year remains to open (a POST always gets it, so
    that a year already opened is refused with its message)."""
    if not services.may_open(project, current_user):
        return None
    if request.method == "GET":
        years = services.years_to_open(project)
        form = OpenForm(formdata=None) if years else None
    else:
        years, form = services.evaluable_years(project), OpenForm()
    if form is not None:
        form.year.choices = [(year, str(year)) for year in years]
    return form


def _render_tab(project, status=200, open_form=None):
    evaluations = services.evaluations_of(project)
    selected = _selected(project, evaluations)
    return render_page_or_fragment(
        "projects/project.html", "evaluation/_tab.html", status=status, tab_template="evaluation/_tab.html",
        active_endpoint="evaluation.project_tab", project=project, actions=project_actions(project, current_user),
        evaluations=evaluations, selected=selected, view=services.current_view(selected) if selected else None,
        evaluation_actions=services.available_actions(selected, current_user) if selected else [],
        events=services.events_of(selected) if selected else [],
        may_edit=selected is not None and services.may_edit_county_draft(selected, current_user),
        open_form=open_form or _open_form(project))


@bp.route("/projects/<int:project_id>/evaluation")
@login_required
def project_tab(project_id):
    return _render_tab(get_project_or_404(project_id))


@bp.route("/projects/<int:project_id>/evaluation/open", methods=["POST"])
@roles_required(Role.VILLAGE, services.EVALUATOR_ROLE)
def open_year(project_id):
    project = get_project_or_404(project_id)
    form = _open_form(project)
    if form is None:
        abort(403)
    outcome = submit_form(form, lambda: services.open_evaluation(project, form.year.data, actor=current_user))
    if outcome.done:
        return redirect_after_post(url_for("evaluation.project_tab", project_id=project.id,
                                           evaluation=outcome.result.id))
    return _render_tab(project, status=form_status(form), open_form=form)


@bp.route("/projects/<int:project_id>/evaluation/<int:evaluation_id>/edit", methods=["GET", "POST"])
@roles_required(services.EVALUATOR_ROLE)
def edit(project_id, evaluation_id):
    project = get_project_or_404(project_id)
    evaluation = get_child_or_404(ProjectEvaluation, project, evaluation_id)
    if not services.may_edit_county_draft(evaluation, current_user):
        abort(403)
    form = CountyDraftForm()
    if request.method == "GET":
        form.comment.data = evaluation.comment
        for key, share, reason in form.adjustment_fields():
            saved = (evaluation.adjustments or {}).get(key)
            share.data = saved["share_bp"] // 100 if saved else None
            reason.data = saved["reason"] if saved else ""
    adjustments = {key: services.Adjustment(share.data, reason.data or "")
                   for key, share, reason in form.adjustment_fields()}
    outcome = submit_form(form, lambda: services.save_county_draft(
        evaluation, comment=form.comment.data or "", adjustments=adjustments, actor=current_user))
    if outcome.done:
        return redirect_after_post(url_for("evaluation.project_tab", project_id=project.id, evaluation=evaluation.id))
    return render_template("evaluation/edit.html", project=project, evaluation=evaluation, form=form,
                           view=services.current_view(evaluation)), form_status(form)


@bp.route("/projects/<int:project_id>/evaluation/<int:evaluation_id>/<action>", methods=["GET", "POST"])
@login_required
def take_action(project_id, evaluation_id, action):
    project = get_project_or_404(project_id)
    evaluation = get_child_or_404(ProjectEvaluation, project, evaluation_id)
    try:
        action = services.EvaluationAction(action)
    except ValueError:
        abort(404)
    transition = dict(services.available_actions(evaluation, current_user)).get(action)
    if transition is None:
        abort(403)
    form = ActionForm()
    outcome = submit_form(form, lambda: services.apply_evaluation_action(
        evaluation, action, current_user, services.TransitionData(comment=form.comment.data or "")))
    if outcome.done:
        return redirect_after_post(url_for("evaluation.project_tab", project_id=project.id, evaluation=evaluation.id))
    return render_template("evaluation/action.html", project=project, evaluation=evaluation, action=action,
                           transition=transition, form=form), form_status(form)


# --- county pages ----------------------------------------------------------------------------------------

def _year() -> int:
    return int_arg("year", 2000, 2100) or local_today().year


def _township_id() -> int | None:
    return int_arg("township")


def _townships():
    return db.session.execute(select(Township).order_by(Township.name)).scalars().all()


@bp.route("/evaluation/")
@roles_required(*LIST_ROLES)
def year_list():
    """The year's projects in implementation or operation with the state of their evaluation."""
    year = _year()
    stmt = scoped_projects().where(Project.status.in_(services.EVALUATED_STATUSES))
    if _township_id() is not None:
        stmt = stmt.where(Project.village_id.in_(select(Village.id).where(Village.township_id == _township_id())))
    projects = db.session.execute(stmt.order_by(Project.title, Project.id)).scalars().all()
    latest = {}
    for evaluation in db.session.execute(select(ProjectEvaluation).where(
            ProjectEvaluation.year == year, ProjectEvaluation.project_id.in_([p.id for p in projects]))
            .order_by(ProjectEvaluation.version)).scalars():
        latest[evaluation.project_id] = evaluation
    return render_template("evaluation/year_list.html", year=year, projects=projects, latest=latest,
                           townships=_townships())


def _ranked():
    projects = published_scores(_year(), township_id=_township_id(), scope=request_scope())
    return projects, village_ranking(projects)


@bp.route("/evaluation/rankings")
@roles_required(*LIST_ROLES)
def rankings():
    projects, villages = _ranked()
    return render_template("evaluation/rankings.html", year=_year(), projects=projects, villages=villages,
                           townships=_townships())


@bp.route("/evaluation/rankings.<fmt>")
@roles_required(*LIST_ROLES)
def export_rankings(fmt):
    projects, _ = _ranked()
    columns = [Column(_l("Rank"), lambda r: r.rank), Column(_l("Project"), lambda r: r.title),
               Column(_l("Township"), lambda r: r.township_name), Column(_l("Village"), lambda r: r.village_name),
               Column(_l("Score"), lambda r: points(r.score_centi)),
               Column(_l("Grade"), lambda r: str(grade_label(r.grade))),
               Column(_l("Version"), lambda r: r.version)]
    title = f"{_l('Performance evaluation')} {_year()}"
    return export_response(fmt, title, columns, projects, sheet_title=title)


@bp.route("/evaluation/villages/<int:village_id>")
@login_required
def village(village_id):
    village_row = db.get_or_404(Village, village_id)
    if not can_see_village(current_user, village_row):
        abort(404)
    return render_template("evaluation/village.html", village=village_row,
                           history=village_history(village_row.id, scope=request_scope()))
