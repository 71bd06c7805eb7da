"""Vetting pages: the panel, declarations, score sheets with live totals, the panel result,
site visits, the feasibility report, and the criteria sets (admin)."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from ..auth.access import roles_required
from ..auth.models import User, UserRole
from ..auth.roles import DEPARTMENT_LABELS, Role
from ..database import utcnow
from ..exports import Column, export_response
from ..extensions import db
from ..htmx import redirect_after_post, render_page_or_fragment
from ..projects.loaders import get_child_or_404, get_project_or_404, scoped_projects
from ..projects.models import Project, ProjectAttachment, ProjectDecision
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions
from ..views_common import form_status, paginate, press_button, submit_form
from . import services
from .forms import (
    AssignReviewerForm,
    CriteriaSetForm,
    DeclarationForm,
    RiskGradeForm,
    SiteVisitForm,
    score_sheet_form,
)
from .indicators import indicators_for
from .models import (
    DECLARATION_LABELS,
    RECOMMENDATION_LABELS,
    RISK_GRADE_LABELS,
    ROUND_STATUS_LABELS,
    CriteriaSet,
    Declaration,
    PanelMember,
    SiteVisit,
)
from .scoring import format_points, points

bp = Blueprint("vetting", __name__)
COUNTY_VIEWERS = (Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.FINANCE)
county_only = roles_required(*COUNTY_VIEWERS)
approver_only = roles_required(Role.APPROVER)
reviewer_only = roles_required(Role.REVIEWER)
admin_only = roles_required(Role.ADMIN)

TABS = (ProjectTab(_l("Vetting"), "vetting.panel", frozenset(COUNTY_VIEWERS)),
        ProjectTab(_l("Feasibility report"), "vetting.feasibility_report"))


def declare_before_reading(project, user):
    """A panel member declares conflicts of interest before seeing the application."""
    member = services.membership(project, user) if user.has_role(Role.REVIEWER) else None
    if member is not None and member.declaration == Declaration.PENDING and services.in_the_open_round(member):
        flash(_("Declare any conflict of interest before you read the application."), "info")
        return url_for("vetting.declaration", project_id=project.id)
    return None



@bp.app_context_processor
def vetting_labels():
    return {"declaration_labels": DECLARATION_LABELS, "recommendation_labels": RECOMMENDATION_LABELS,
            "round_status_labels": ROUND_STATUS_LABELS,
            "risk_grade_labels": RISK_GRADE_LABELS, "points": format_points, "department_labels": DEPARTMENT_LABELS}


@bp.route("/vetting")
@roles_required(Role.REVIEWER, Role.APPROVER)
def my_panels():
    """Projects before the county: for a reviewer the panels they sit on, for an approver all."""
    stmt = scoped_projects().where(Project.status.in_(services.PANEL_STATUSES)).order_by(Project.id)
    if not current_user.has_role(Role.APPROVER):
        stmt = stmt.where(Project.id.in_(select(PanelMember.project_id).where(PanelMember.reviewer_id == current_user.id)))
    page = paginate(stmt)
    ids = [project.id for project in page.items]
    mine = {m.project_id: m for m in db.session.execute(
        select(PanelMember).where(PanelMember.project_id.in_(ids), PanelMember.reviewer_id == current_user.id)
    ).scalars()} if ids else {}
    sizes = dict(db.session.execute(
        select(PanelMember.project_id, func.count(PanelMember.id)).where(PanelMember.project_id.in_(ids))
        .group_by(PanelMember.project_id)
    ).all()) if ids else {}
    return render_template("vetting/my_panels.html", page=page, mine=mine, sizes=sizes)


def _panel_context(project) -> dict:
    latest = services.latest_round(project)  # asked once: the members, the round shown and the history read it
    members = services.members_of(latest)
    member = next((m for m in members if m.reviewer_id == current_user.id), None)
    may_see = services.may_see_scores(project, current_user)
    return {
        "project": project, "vetting": services.vetting_for(project), "members": members, "member": member,
        "missing_departments": services.missing_core_departments(members),
        "result": services.panel_result(project, members) if may_see else None, "may_see_scores": may_see,
        "indicators": indicators_for(project),
        "site_visits": db.session.execute(
            select(SiteVisit).where(SiteVisit.project_id == project.id).order_by(SiteVisit.visited_on)).scalars().all(),
        "visit_photos": _photos_by_visit(project),
        "round": latest,
        "earlier_rounds": _earlier_rounds(project, latest),
    }


def _earlier_rounds(project, latest) -> list[tuple]:
    """The rounds before the latest, as history: (round, its result, or None for those who neither
    sat on that round nor approve)."""
    history = []
    for panel_round in services.closed_rounds(project):
        if latest is not None and panel_round.id == latest.id:
            continue
        members = services.members_of(panel_round)
        visible = current_user.has_role(Role.APPROVER, Role.ADMIN) or any(
            m.reviewer_id == current_user.id for m in members)
        history.append((panel_round, services.panel_result(project, members) if visible else None))
    return history


def _photos_by_visit(project) -> dict[int, list[ProjectAttachment]]:
    photos: dict[int, list[ProjectAttachment]] = {}
    for photo in db.session.execute(
        select(ProjectAttachment).where(ProjectAttachment.project_id == project.id,
                                        ProjectAttachment.site_visit_id.is_not(None)).order_by(ProjectAttachment.id)
    ).scalars():
        photos.setdefault(photo.site_visit_id, []).append(photo)
    return photos


def _assign_form(project, members) -> AssignReviewerForm | None:
    if not current_user.has_role(Role.APPROVER) or project.status not in services.PANEL_STATUSES:
        return None
    form = AssignReviewerForm()
    taken = {m.reviewer_id for m in members}
    reviewers = db.session.execute(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.REVIEWER, User.active).order_by(User.department, User.display_name)
    ).scalars().all()
    form.reviewer_id.choices = [
        (r.id, f"{r.display_name} · {DEPARTMENT_LABELS[r.department] if r.department else '—'}")
        for r in reviewers if r.id not in taken
    ]
    return form


def _risk_form(vetting) -> RiskGradeForm:
    """The form shows the grade and reason already set, not "as suggested" again."""
    if vetting is None:
        return RiskGradeForm()
    return RiskGradeForm(grade=vetting.final_risk_grade or "", reason=vetting.risk_grade_reason)


def _render_panel(project, status=200, **extra):
    context = _panel_context(project)
    context.setdefault("assign_form", _assign_form(project, context["members"]))
    context.setdefault("risk_form", _risk_form(context["vetting"]) if services.may_grade_risk(project, current_user)
                       else None)
    context.setdefault("visit_form", SiteVisitForm() if services.may_record_site_visit(project, current_user)
                       else None)
    context.update(extra)
    return render_page_or_fragment("projects/project.html", "vetting/_tab_panel.html", status=status,
                                   tab_template="vetting/_tab_panel.html", active_endpoint="vetting.panel",
                                   actions=_actions(project), **context)


def _actions(project):
    return available_actions(project, current_user)


@bp.route("/projects/<int:project_id>/vetting")
@county_only
def panel(project_id):
    return _render_panel(get_project_or_404(project_id))


@bp.route("/projects/<int:project_id>/vetting/members", methods=["POST"])
@approver_only
def assign(project_id):
    project = get_project_or_404(project_id, for_update=True)
    form = _assign_form(project, services.panel_members(project))
    if form is None:
        flash(_("A panel is formed once the township has passed the project, before the decision."), "danger")
        return _render_panel(project, status=422)
    if submit_form(form, lambda: services.assign_reviewer(
            project, db.get_or_404(User, form.reviewer_id.data), current_user)).done:
        flash(_("Added to the panel."), "success")
        return redirect_after_post(url_for("vetting.panel", project_id=project.id))
    return _render_panel(project, status=422, assign_form=form)


@bp.route("/projects/<int:project_id>/vetting/members/<int:member_id>/remove", methods=["GET", "POST"])
@approver_only
def remove(project_id, member_id):
    """GET asks first (the confirmation works without JavaScript); POST removes."""
    project = get_project_or_404(project_id)
    member = get_child_or_404(PanelMember, project, member_id)
    if request.method == "GET":
        return render_template("vetting/remove_member.html", project=project, member=member)
    return press_button(lambda: services.remove_reviewer(member, current_user),
                        url_for("vetting.panel", project_id=project.id), _("Removed from the panel."),
                        failure_page=lambda status: _render_panel(project, status=status))


def _my_membership_or_404(project):
    member = services.membership(project, current_user)
    if member is None:
        abort(404)
    return member


@bp.route("/projects/<int:project_id>/vetting/declaration", methods=["GET", "POST"])
@reviewer_only
def declaration(project_id):
    project = get_project_or_404(project_id, guard_reading=False)
    member = _my_membership_or_404(project)
    form = DeclarationForm()
    declared = submit_form(form, lambda: services.declare(
        member, recuse=form.decision.data == "recuse", reason=form.reason.data, actor=current_user))
    if declared.done:
        flash(_("Declaration recorded: you recused yourself from this project.")
              if member.declaration == Declaration.RECUSED else _("Declaration recorded: no conflict of interest."),
              "success")
        return redirect_after_post(url_for("vetting.sheet", project_id=project.id)
                                   if member.declaration == Declaration.NO_CONFLICT
                                   else url_for("vetting.my_panels"))
    return render_template("vetting/declaration.html", project=project, member=member, form=form), form_status(form)


def _sheet_input(form, criteria) -> services.SheetInput:
    return services.SheetInput(
        scores={c.id: form[f"score_{c.id}"].data for c in criteria},
        comments={c.id: form[f"comment_{c.id}"].data or "" for c in criteria},
        recommendation=form.recommendation.data or None,
    )


def _filled_sheet_form(member, criteria):
    if request.method == "POST":
        return score_sheet_form(criteria)
    form = score_sheet_form(criteria, formdata=None)
    if member.sheet is not None:
        for score in member.sheet.scores:
            form[f"score_{score.criterion_id}"].data = score.score
            form[f"comment_{score.criterion_id}"].data = score.comment
        form.recommendation.data = member.sheet.recommendation or ""
    return form


@bp.route("/projects/<int:project_id>/vetting/sheet", methods=["GET", "POST"])
@reviewer_only
def sheet(project_id):
    project = get_project_or_404(project_id, guard_reading=False)
    member = _my_membership_or_404(project)
    if member.declaration == Declaration.PENDING:
        return redirect_after_post(url_for("vetting.declaration", project_id=project.id))
    if member.declaration == Declaration.RECUSED:
        flash(_("You recused yourself from this project; you cannot score it."), "warning")
        return redirect_after_post(url_for("vetting.my_panels"))
    vetting = services.vetting_for(project)
    criteria = vetting.criteria_set.criteria
    form = _filled_sheet_form(member, criteria)
    submitting = request.form.get("submit_sheet") == "1"
    saved = submit_form(form, lambda: services.save_sheet(
        project, _sheet_input(form, criteria), submit=submitting, actor=current_user))
    if saved.done:
        flash(_("Score sheet submitted.") if submitting else _("Draft saved."), "success")
        return redirect_after_post(url_for("vetting.sheet", project_id=project.id))
    total = services.draft_total_centi(project, {c.id: form[f"score_{c.id}"].data for c in criteria})
    return render_template("vetting/sheet.html", project=project, member=member, vetting=vetting, criteria=criteria,
                           form=form, total_centi=total, indicators=indicators_for(project)), form_status(form)


@bp.route("/projects/<int:project_id>/vetting/sheet/total", methods=["POST"])
@reviewer_only
def sheet_total(project_id):
    """HTMX: the weighted total and the pass/fail badge as the reviewer types."""
    project = get_project_or_404(project_id, guard_reading=False)
    _my_membership_or_404(project)
    vetting = services.vetting_for(project)
    form = score_sheet_form(vetting.criteria_set.criteria)
    form.validate()
    scores = {c.id: (form[f"score_{c.id}"].data if not form[f"score_{c.id}"].errors else None)
              for c in vetting.criteria_set.criteria}
    return render_template("vetting/_sheet_total.html", vetting=vetting, form=form,
                           criteria=vetting.criteria_set.criteria,
                           total_centi=services.draft_total_centi(project, scores))


@bp.route("/projects/<int:project_id>/vetting/result")
@county_only
def result(project_id):
    """The panel result, polled by the approver's page while sheets arrive."""
    project = get_project_or_404(project_id)
    context = _panel_context(project)
    return render_page_or_fragment("vetting/result_page.html", "vetting/_result.html", **context)


@bp.route("/projects/<int:project_id>/vetting/site-visits", methods=["POST"])
@roles_required(Role.REVIEWER, Role.APPROVER)
def site_visit(project_id):
    project = get_project_or_404(project_id)
    form = SiteVisitForm()
    recorded = submit_form(form, lambda: services.record_site_visit(
        project, visited_on=form.visited_on.data, place=form.place.data, participants=form.participants.data,
        findings=form.findings.data, actor=current_user, photos=[f for f in form.photos.data or [] if f.filename]))
    if recorded.done:
        flash(_("Site visit recorded."), "success")
        return redirect_after_post(url_for("vetting.panel", project_id=project.id))
    return _render_panel(project, status=422, visit_form=form)


@bp.route("/projects/<int:project_id>/vetting/risk-grade", methods=["POST"])
@roles_required(Role.REVIEWER, Role.APPROVER)
def risk_grade(project_id):
    project = get_project_or_404(project_id)
    form = RiskGradeForm()
    if submit_form(form, lambda: services.set_final_risk_grade(
            project, form.grade.data, form.reason.data, current_user)).done:
        flash(_("Final risk grade saved."), "success")
        return redirect_after_post(url_for("vetting.panel", project_id=project.id))
    return _render_panel(project, status=422, risk_form=form)


def _score_rows(project):
    """(member, sheet) of the submitted sheets, for the report and the export."""
    return [(m, m.sheet) for m in services.panel_members(project) if m.sheet is not None and m.sheet.submitted]


@bp.route("/projects/<int:project_id>/vetting/scores.xlsx")
@county_only
def export_scores(project_id):
    project = get_project_or_404(project_id)
    if not services.may_see_scores(project, current_user):
        abort(403)
    criteria = (services.vetting_for(project) or abort(404)).criteria_set.criteria  # no panel yet: no sheet to export
    columns = [Column(_l("Reviewer"), lambda row: row[0].reviewer.display_name),
               Column(_l("Department"), lambda row: str(DEPARTMENT_LABELS.get(row[0].reviewer.department, ""))),
               *[Column(f"{c.name} ({c.weight}%)", lambda row, cid=c.id: _score_of(row[1], cid)) for c in criteria],
               Column(_l("Weighted total"), lambda row: points(row[1].total_centi)),
               Column(_l("Recommendation"), lambda row: str(RECOMMENDATION_LABELS[row[1].recommendation]))]
    return export_response("xlsx", f"panel-scores-project-{project.id}", columns, _score_rows(project),
                           sheet_title=project.title)


def _score_of(sheet, criterion_id):
    return next((score.score for score in sheet.scores if score.criterion_id == criterion_id), None)


@bp.route("/projects/<int:project_id>/feasibility-report")
@roles_required(*Role)
def feasibility_report(project_id):
    """可行性研究报告: one printable page. Individual sheets for county roles only."""
    project = get_project_or_404(project_id)
    context = _panel_context(project)
    county = bool(current_user.roles & set(COUNTY_VIEWERS))
    result = services.panel_result(project, context["members"])
    # The aggregate reveals the sheets: a reviewer sees it after submitting, others once the panel is complete.
    visible = context["may_see_scores"] or (not current_user.has_role(Role.REVIEWER) and result and result.complete)
    context["result"] = result if visible else None
    decisions = db.session.execute(
        select(ProjectDecision).where(ProjectDecision.project_id == project.id).order_by(ProjectDecision.id)
    ).scalars().all()
    return render_template("vetting/feasibility_report.html", show_sheets=county and context["may_see_scores"],
                           now=utcnow(),
                           show_names=county, score_rows=_score_rows(project), decisions=decisions, **context)


# --- criteria sets (administrators) ---------------------------------------------------------

@bp.route("/admin/criteria")
@admin_only
def criteria_sets():
    sets = db.session.execute(select(CriteriaSet).order_by(CriteriaSet.name, CriteriaSet.version.desc())).scalars().all()
    return render_template("vetting/criteria_sets.html", sets=sets, default_set_name=services.DEFAULT_SET_NAME,
                           default_criteria=services.DEFAULT_CRITERIA)


def _criteria_inputs(form) -> list[services.CriterionInput]:
    return [services.CriterionInput(row.form.name.data, row.form.description.data or "", row.form.weight.data or 0)
            for row in form.criteria if (row.form.name.data or "").strip()]


@bp.route("/admin/criteria/new", methods=["GET", "POST"])
@bp.route("/admin/criteria/<int:set_id>", methods=["GET", "POST"])
@admin_only
def edit_criteria_set(set_id=None):
    criteria_set = db.get_or_404(CriteriaSet, set_id) if set_id else None
    form = CriteriaSetForm(obj=criteria_set) if request.method == "GET" and criteria_set else CriteriaSetForm()
    if request.method == "GET" and criteria_set:
        for row, criterion in zip(form.criteria, criteria_set.criteria):
            row.form.name.data, row.form.description.data = criterion.name, criterion.description
            row.form.weight.data = criterion.weight
    saved = submit_form(form, lambda: services.save_criteria_set(
        criteria_set, name=form.name.data, pass_mark=form.pass_mark.data, trim_from_sheets=form.trim_from_sheets.data,
        spread_threshold=form.spread_threshold.data, criteria=_criteria_inputs(form), actor=current_user))
    if saved.done:
        flash(_("Saved."), "success")
        return redirect_after_post(url_for("vetting.edit_criteria_set", set_id=saved.result.id))
    in_use = criteria_set is not None and services.set_in_use(criteria_set)
    return render_template("vetting/criteria_set_form.html", form=form, criteria_set=criteria_set,
                           in_use=in_use), form_status(form)


@bp.route("/admin/criteria/<int:set_id>/activate", methods=["POST"])
@admin_only
def activate_criteria_set(set_id):
    criteria_set = db.get_or_404(CriteriaSet, set_id)
    return press_button(lambda: services.activate_criteria_set(criteria_set, current_user),
                        url_for("vetting.criteria_sets"), _("This set is now used for new panels."))
