"""Authorization entries of the public pages and the county's notice pages (see
tests/test_authorization_matrix.py): the public pages answer everyone alike."""
import io

from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.clock import local_today
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.projects.services import add_attachment
from fundtracker.public.models import Notice, NoticeKind, NoticeObjection

from ..authz_helpers import Check, everyone, only, signed_in
from ..projects.conftest import PDF, complete_application


def extend_world(world, request):
    make_user = request.getfixturevalue("make_user")
    author = make_user(Role.VILLAGE, username="authz-public-village", village=world["village"])
    project = save_application(None, complete_application(title="公示项目"), village_id=world["village"].id,
                               actor=author)
    project.status = "vetting"
    shown = add_attachment(project, FileStorage(io.BytesIO(PDF), "public-plan.pdf"), kind="plan", actor=author)
    shown.public = True
    notice = Notice(kind=NoticeKind.APPLICATION, village_id=project.village_id, project_id=project.id,
                    starts_on=local_today(), period_days=10, text="公示", created_by_id=author.id)
    db.session.add(notice)
    db.session.flush()
    objection = NoticeObjection(notice_id=notice.id, text="异议")
    db.session.add(objection)
    db.session.commit()
    world.update(published=project, public_file_id=shown.id, notice=notice, objection=objection)


def url(template):
    return lambda w: template.format(project=w["published"].id, village=w["published"].village_id,
                                     notice=w["notice"].id, file=w["public_file_id"], objection=w["objection"].id)


ENTRIES = {
    "/public/": [Check("GET", "/public/", everyone())],
    "/public/villages": [Check("GET", "/public/villages", everyone())],
    "/public/villages/<int:village_id>": [Check("GET", url("/public/villages/{village}"), everyone())],
    "/public/villages/<int:village_id>/board": [Check("GET", url("/public/villages/{village}/board"), everyone())],
    "/public/projects/<int:project_id>": [Check("GET", url("/public/projects/{project}"), everyone())],
    "/public/projects/<int:project_id>/board": [Check("GET", url("/public/projects/{project}/board"), everyone())],
    "/public/projects/<int:project_id>/attachments/<int:attachment_id>": [
        Check("GET", url("/public/projects/{project}/attachments/{file}"), everyone())],
    "/public/notices/<int:notice_id>": [Check("GET", url("/public/notices/{notice}"), everyone())],
    "/public/notices/<int:notice_id>/objection": [
        Check("GET", url("/public/notices/{notice}/objection"), everyone()),
        Check("POST", url("/public/notices/{notice}/objection"), everyone(303), {"text": "请说明补助标准。"}),
    ],
    "/robots.txt": [Check("GET", "/robots.txt", everyone())],
    "/projects/<int:project_id>/notices": [Check("GET", url("/projects/{project}/notices"), signed_in())],
    "/projects/<int:project_id>/notices/new": [
        Check("GET", url("/projects/{project}/notices/new"), only(Role.TOWN, Role.APPROVER))],
    "/notices/objections": [Check("GET", "/notices/objections", only(Role.APPROVER, Role.ADMIN))],
    "/notices/objections/<int:objection_id>/answer": [
        Check("POST", url("/notices/objections/{objection}/answer"), only(Role.APPROVER, Role.ADMIN, status=303),
              {"answer": "已核实。"})],
}
