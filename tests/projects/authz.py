"""Authorization entries of the project pages (see tests/test_authorization_matrix.py)."""
import io

from werkzeug.datastructures import FileStorage

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.projects.services import add_attachment
from fundtracker.projects.workflow import apply_transition

from ..authz_helpers import Check, only, signed_in
from .conftest import PDF, complete_application


def extend_world(world, request):
    """A draft (the village's own until submitted: other roles get 404) and a submitted application."""
    author = world["spare"]
    for key in ("draft", "project"):
        project = save_application(None, complete_application(), village_id=world["village"].id, actor=author)
        attachment = add_attachment(project, FileStorage(io.BytesIO(PDF), "plan.pdf"), kind="plan", actor=author)
        world[key], world[f"{key}_attachment_id"] = project, attachment.id
    submitter = request.getfixturevalue("make_user")(Role.VILLAGE, username="submitter", village=world["village"])
    apply_transition(world["project"], "submit", submitter)
    db.session.commit()


def project_url(suffix=""):
    return lambda w: f"/projects/{w['project'].id}{suffix}"


def draft_url(suffix=""):
    return lambda w: f"/projects/{w['draft'].id}{suffix}"


def the_villages_own_draft(status=200):
    return {**only(Role.VILLAGE, status=status), **{str(role): 404 for role in Role if role != Role.VILLAGE}}


ENTRIES = {
    "/projects": [Check("GET", "/projects", signed_in())],
    "/projects/export.<fmt>": [Check("GET", "/projects/export.csv", signed_in())],
    "/projects/new": [Check("GET", "/projects/new", only(Role.VILLAGE))],
    "/projects/application/check": [Check("POST", "/projects/application/check", only(Role.VILLAGE), {"title": "x"})],
    "/projects/<int:project_id>": [
        Check("GET", project_url(), signed_in()),
        Check("GET", draft_url(), the_villages_own_draft()),
    ],
    "/projects/<int:project_id>/edit": [Check("GET", draft_url("/edit"), only(Role.VILLAGE))],
    "/projects/<int:project_id>/timeline": [Check("GET", project_url("/timeline"), signed_in())],
    "/projects/<int:project_id>/versions": [Check("GET", project_url("/versions"), signed_in())],
    "/projects/<int:project_id>/attachments": [Check("GET", project_url("/attachments"), signed_in())],
    "/projects/<int:project_id>/attachments/<int:attachment_id>": [
        Check("GET", lambda w: f"/projects/{w['project'].id}/attachments/{w['project_attachment_id']}", signed_in())
    ],
    "/projects/<int:project_id>/attachments/<int:attachment_id>/public": [
        Check("POST", lambda w: f"/projects/{w['project'].id}/attachments/{w['project_attachment_id']}/public",
              only(Role.VILLAGE, Role.APPROVER, status=303), {"public": "1"})
    ],
    "/projects/<int:project_id>/attachments/<int:attachment_id>/remove": [
        Check("POST", draft_url("/attachments/2147483647/remove"), only(Role.VILLAGE, status=404)),
    ],
    "/projects/<int:project_id>/actions/<action>": [
        Check("GET", draft_url("/actions/submit"), the_villages_own_draft()),
        Check("GET", project_url("/actions/no_such_action"), signed_in(404)),
    ],
}
