"""Authorization entries of the project pages (see tests/test_authorization_matrix.py)."""
import io

from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.projects.services import add_attachment

from ..authz_helpers import Check, only, signed_in
from .conftest import PDF, complete_application


def extend_world(world, request):
    author = world["spare"]
    project = save_application(None, complete_application(), village_id=world["village"].id, actor=author)
    attachment = add_attachment(project, FileStorage(io.BytesIO(PDF), "plan.pdf"), kind="plan", actor=author)
    db.session.commit()
    world["project"], world["attachment_id"] = project, attachment.id


def project_url(suffix=""):
    return lambda w: f"/projects/{w['project'].id}{suffix}"


ENTRIES = {
    "/projects": [Check("GET", "/projects", signed_in())],
    "/projects/export.<fmt>": [Check("GET", "/projects/export.csv", signed_in())],
    "/projects/new": [Check("GET", "/projects/new", only(Role.VILLAGE))],
    "/projects/application/check": [Check("POST", "/projects/application/check", only(Role.VILLAGE), {"title": "x"})],
    "/projects/<int:project_id>": [Check("GET", project_url(), signed_in())],
    "/projects/<int:project_id>/edit": [Check("GET", project_url("/edit"), only(Role.VILLAGE))],
    "/projects/<int:project_id>/timeline": [Check("GET", project_url("/timeline"), signed_in())],
    "/projects/<int:project_id>/versions": [Check("GET", project_url("/versions"), signed_in())],
    "/projects/<int:project_id>/attachments": [Check("GET", project_url("/attachments"), signed_in())],
    "/projects/<int:project_id>/attachments/<int:attachment_id>": [
        Check("GET", lambda w: f"/projects/{w['project'].id}/attachments/{w['attachment_id']}", signed_in())
    ],
    "/projects/<int:project_id>/attachments/<int:attachment_id>/public": [
        Check("POST", lambda w: f"/projects/{w['project'].id}/attachments/{w['attachment_id']}/public",
              only(Role.VILLAGE, Role.APPROVER, status=303), {"public": "1"})
    ],
    "/projects/<int:project_id>/attachments/<int:attachment_id>/remove": [
        Check("POST", project_url("/attachments/2147483647/remove"), only(Role.VILLAGE, status=404)),
    ],
    "/projects/<int:project_id>/actions/<action>": [
        Check("GET", project_url("/actions/submit"), only(Role.VILLAGE)),
        Check("GET", project_url("/actions/no_such_action"), signed_in(404)),
    ],
}
