"""Public disclosure pages (no login): the county-wide lists, each village and each published project
with its notices, QR code and printable notice board (公示牌); the objection form (the one public
POST); robots.txt. And the county's side: a project's notices tab, publishing a notice, answering
objections."""
from flask import Blueprint, abort, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.csrf import CSRFError
from markupsafe import Markup
from sqlalchemy import select

from ..auth.access import roles_required
from ..auth.roles import Role
from ..clock import local_today
from ..errors import csrf_error
from ..extensions import db
from ..geo.models import Village
from ..htmx import redirect_after_post, render_page_or_fragment
from ..pools.services import paid_to_projects_fen
from ..projects.loaders import get_project_or_404
from ..projects.models import PROJECT_STATUS_LABELS, DECISION_LABELS, ProjectAttachment
from ..projects.tabs import ProjectTab
from ..projects.workflow import available_actions as project_actions
from ..signals import Hook
from ..uploads import send_stored_file
from ..views_common import form_status, paginate, submit_form
from . import disclosure, notices
from .caching import no_store, private_form, public_access, public_page
from .forms import AnswerForm, NoticeForm, ObjectionForm
from .models import NOTICE_KIND_LABELS, Notice, NoticeObjection
from .qr import public_url, qr_svg
from .settings import setting

bp = Blueprint("public", __name__)
TAB = ProjectTab(_l("Public notices"), "public.project_notices")
SEARCH_MAX = 100


@bp.app_context_processor
def public_labels():
    return {"notice_kind_labels": NOTICE_KIND_LABELS}


@bp.app_template_global("render_public_section")
def render_public_section(section):
    """A section another domain adds to a public page, rendered from its own template and context."""
    return Markup(render_template(section.template, **section.context))


@bp.errorhandler(404)
def not_found(error):
    """Unknown and private answer alike, on the public layout (which sets no cookie)."""
    return render_template("public/not_found.html"), 404


def _search() -> str:
    return (request.args.get("q") or "").strip()[:SEARCH_MAX]


def _public_project_or_404(project_id: int):
    project = disclosure.public_project(project_id)
    if project is None:
        abort(404)
    return project


def _public_notice(notice_id: int) -> Notice | None:
    notice = db.session.get(Notice, notice_id)
    if notice is None or (notice.project_id is not None and disclosure.public_project(notice.project_id) is None):
        return None
    return notice


def _public_notice_or_404(notice_id: int) -> Notice:
    notice = _public_notice(notice_id)
    if notice is None:
        abort(404)
    return notice


@bp.route("/public/")
@public_page
def index():
    query = _search()
    page = paginate(disclosure.search_projects(query))
    return render_template("public/index.html", page=page, query=query,
                           paid=paid_to_projects_fen(project.id for project in page.items),
                           status_labels=PROJECT_STATUS_LABELS)


@bp.route("/public/villages")
@public_page
def villages():
    query = _search()
    return render_template("public/villages.html", page=paginate(disclosure.search_villages(query)), query=query)


def _village_context(village: Village) -> dict:
    projects = disclosure.village_projects(village)
    village_notices = disclosure.village_notices(village)
    return {"village": village, "projects": projects, "paid": paid_to_projects_fen(p.id for p in projects),
            "notices": village_notices, "objections": disclosure.objection_counts(n.id for n in village_notices),
            "sections": disclosure.sections(Hook.PUBLIC_VILLAGE_SECTION, village),
            "status_labels": PROJECT_STATUS_LABELS, "today": local_today(),
            "qr": qr_svg(public_url("public.village", village_id=village.id)),
            "page_url": public_url("public.village", village_id=village.id),
            "office_contact": setting("PUBLIC_OFFICE_CONTACT")}


@bp.route("/public/villages/<int:village_id>")
@public_page
def village(village_id):
    return render_template("public/village.html", **_village_context(db.get_or_404(Village, village_id)))


@bp.route("/public/villages/<int:village_id>/board")
@public_page
def village_board(village_id):
    return render_template("public/village_board.html", **_village_context(db.get_or_404(Village, village_id)))


def _project_context(project) -> dict:
    project_notices = disclosure.notices_of(project_id=project.id)
    return {"project": project, "content": disclosure.notice_content(project),
            "decision": disclosure.county_decision(project), "decision_labels": DECISION_LABELS,
            "attachments": disclosure.public_attachments(project),
            "fingerprint": disclosure.pool_fingerprint(project.pool_id),
            "notices": project_notices, "objections": disclosure.objection_counts(n.id for n in project_notices),
            "sections": disclosure.sections(Hook.PUBLIC_PROJECT_SECTION, project),
            "status_labels": PROJECT_STATUS_LABELS, "today": local_today(),
            "qr": qr_svg(public_url("public.project", project_id=project.id)),
            "page_url": public_url("public.project", project_id=project.id),
            "office_contact": setting("PUBLIC_OFFICE_CONTACT")}


@bp.route("/public/projects/<int:project_id>")
@public_page
def project(project_id):
    return render_template("public/project.html", **_project_context(_public_project_or_404(project_id)))


@bp.route("/public/projects/<int:project_id>/board")
@public_page
def project_board(project_id):
    return render_template("public/project_board.html", **_project_context(_public_project_or_404(project_id)))


@bp.route("/public/projects/<int:project_id>/attachments/<int:attachment_id>")
@public_access
def attachment(project_id, attachment_id):
    project = _public_project_or_404(project_id)
    file = db.session.get(ProjectAttachment, attachment_id)
    if file is None or file.project_id != project.id or not file.public:
        abort(404)
    return send_stored_file(file.stored_name, file.content_type, file.original_name)


@bp.route("/public/notices/<int:notice_id>")
@public_page
def notice(notice_id):
    notice = _public_notice_or_404(notice_id)
    total, answered = disclosure.objection_counts([notice.id]).get(notice.id, (0, 0))
    return render_template("public/notice.html", notice=notice, answered=disclosure.answered_objections(notice),
                           awaiting=total - answered,
                           today=local_today(), office_contact=setting("PUBLIC_OFFICE_CONTACT"),
                           just_filed=request.args.get("filed") == "1")


@bp.route("/public/notices/<int:notice_id>/objection", methods=["GET", "POST"])
@private_form
def objection(notice_id):
    """The one public POST. Its page carries the CSRF token, so it (and only it) sets the session cookie."""
    notice = _public_notice_or_404(notice_id)
    form = ObjectionForm()
    outcome = submit_form(form, lambda: notices.file_objection(
        notice, text_=form.text.data, contact=form.contact.data, address=request.remote_addr))
    if outcome.done:
        return redirect_after_post(url_for("public.notice", notice_id=notice.id, filed=1))
    return _objection_page(notice, form, form_status(form))


def _objection_page(notice: Notice, form: ObjectionForm, status: int):
    return render_template("public/objection_form.html", notice=notice, form=form,
                           is_open=notice.is_open_on(local_today())), status


@bp.errorhandler(CSRFError)
def objection_form_expired(error):
    """An objection sent with an expired or missing token (the session ended while the page was open):
    the form again, with what the visitor wrote and a new token, rather than an error page that loses
    the text. The county's forms on this blueprint answer as every other form of the app."""
    notice = _public_notice(request.view_args["notice_id"]) if request.endpoint == "public.objection" else None
    if notice is None:
        return csrf_error(error)
    form = ObjectionForm()
    form.form_errors.append(_("Your objection was not sent: the form had expired. Your text is kept below; "
                              "please send it again."))
    return no_store(_objection_page(notice, form, 400))


@bp.route("/robots.txt")
@public_access
def robots():
    lines = ["User-agent: *", "Allow: /public/", "Allow: /static/", "Disallow: /", ""]
    return "\n".join(lines), 200, {"Content-Type": "text/plain; charset=utf-8",
                                   "Cache-Control": "public, max-age=86400"}


# --- the county's side ----------------------------------------------------------------------------

@bp.route("/projects/<int:project_id>/notices")
@login_required
def project_notices(project_id):
    project = get_project_or_404(project_id)
    project_notices = disclosure.notices_of(project_id=project.id)
    rows = db.session.execute(select(NoticeObjection).where(
        NoticeObjection.notice_id.in_([n.id for n in project_notices])).order_by(NoticeObjection.id)).scalars().all()
    by_notice = {}
    for row in rows:
        by_notice.setdefault(row.notice_id, []).append(row)
    return render_page_or_fragment(
        "projects/project.html", "public/_tab_notices.html", tab_template="public/_tab_notices.html",
        active_endpoint="public.project_notices", project=project, actions=project_actions(project, current_user),
        notices=project_notices, objections_by_notice=by_notice, today=local_today(),
        may_create=notices.may_create_notice(current_user, project.village), may_answer=notices.may_answer(current_user),
        answer_form=AnswerForm(formdata=None), is_published=disclosure.public_project(project.id) is not None)


@bp.route("/projects/<int:project_id>/notices/new", methods=["GET", "POST"])
@roles_required(Role.TOWN, Role.APPROVER)
def new_notice(project_id):
    project = get_project_or_404(project_id)
    if not notices.may_create_notice(current_user, project.village):
        abort(403)
    form = NoticeForm()
    if request.method == "GET":
        form.starts_on.data, form.period_days.data = local_today(), setting("NOTICE_DEFAULT_DAYS")
    outcome = submit_form(form, lambda: notices.create_notice(project, notices.NoticeInput(
        kind=form.kind.data, starts_on=form.starts_on.data, period_days=form.period_days.data, text=form.text.data),
        actor=current_user))
    if outcome.done:
        flash(_("The notice is published."), "success")
        return redirect_after_post(url_for("public.project_notices", project_id=project.id))
    return render_template("public/notice_form.html", project=project, form=form,
                           min_days=setting("NOTICE_MIN_DAYS")), form_status(form)


@bp.route("/notices/objections/<int:objection_id>/answer", methods=["POST"])
@roles_required(Role.APPROVER, Role.ADMIN)
def answer(objection_id):
    row = db.get_or_404(NoticeObjection, objection_id)
    back = url_for("public.objections")
    if row.notice.project_id is not None:
        back = url_for("public.project_notices", project_id=get_project_or_404(row.notice.project_id).id)
    form = AnswerForm()
    outcome = submit_form(form, lambda: notices.answer_objection(row, form.answer.data, actor=current_user))
    if outcome.done:
        flash(_("The answer is recorded and shown on the public notice."), "success")
        return redirect_after_post(back)
    return render_template("public/answer_form.html", objection=row, form=form, back=back), form_status(form)


@bp.route("/notices/objections")
@roles_required(Role.APPROVER, Role.ADMIN)
def objections():
    """Objections waiting for the county's answer, oldest first."""
    page = paginate(select(NoticeObjection).where(NoticeObjection.answer.is_(None)).order_by(NoticeObjection.id))
    return render_template("public/objections.html", page=page, answer_form=AnswerForm(formdata=None))
