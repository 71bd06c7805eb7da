"""Authorization entries of the vetting pages (see tests/test_authorization_matrix.py)."""
from fundtracker.auth.roles import Department, Role
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.vetting import services

from ..authz_helpers import ANONYMOUS, LOGIN_REDIRECT, ROLES, Check, only, signed_in
from ..projects.conftest import complete_application

COUNTY = (Role.REVIEWER, Role.APPROVER, Role.ADMIN, Role.FINANCE)


def extend_world(world, request):
    make_user = request.getfixturevalue("make_user")
    approver = make_user(Role.APPROVER, username="authz-approver")
    on_panel = make_user(Role.REVIEWER, username="authz-reviewer", department=Department.FINANCE)
    world["free_reviewer"] = make_user(Role.REVIEWER, username="authz-free", department=Department.OTHER)
    project = save_application(None, complete_application(title="联审项目"), village_id=world["village"].id,
                               actor=approver)
    project.status = "vetting"
    world["member"] = services.assign_reviewer(project, on_panel, approver)
    world["criteria_set"] = services.active_criteria_set()
    db.session.commit()
    world["vetted"] = project


def url(suffix):
    return lambda w: f"/projects/{w['vetted'].id}{suffix}"


def for_roles(expected: dict, default=403):
    return {role: LOGIN_REDIRECT if role == ANONYMOUS else expected.get(role, default) for role in ROLES}


NOT_A_MEMBER = only(Role.REVIEWER, status=404)  # a reviewer who is not on this panel

ENTRIES = {
    "/vetting": [Check("GET", "/vetting", only(Role.REVIEWER, Role.APPROVER))],
    "/projects/<int:project_id>/vetting": [Check("GET", url("/vetting"), only(*COUNTY))],
    "/projects/<int:project_id>/vetting/result": [Check("GET", url("/vetting/result"), only(*COUNTY))],
    "/projects/<int:project_id>/vetting/members": [
        Check("POST", url("/vetting/members"), only(Role.APPROVER, status=303),
              lambda w: {"reviewer_id": str(w["free_reviewer"].id)}),
    ],
    "/projects/<int:project_id>/vetting/members/<int:member_id>/remove": [
        Check("POST", lambda w: f"/projects/{w['vetted'].id}/vetting/members/{w['member'].id}/remove",
              only(Role.APPROVER, status=303)),
    ],
    "/projects/<int:project_id>/vetting/declaration": [Check("GET", url("/vetting/declaration"), NOT_A_MEMBER)],
    "/projects/<int:project_id>/vetting/sheet": [Check("GET", url("/vetting/sheet"), NOT_A_MEMBER)],
    "/projects/<int:project_id>/vetting/sheet/total": [Check("POST", url("/vetting/sheet/total"), NOT_A_MEMBER)],
    "/projects/<int:project_id>/vetting/site-visits": [
        Check("POST", url("/vetting/site-visits"), only(Role.REVIEWER, Role.APPROVER, status=422))
    ],
    "/projects/<int:project_id>/vetting/risk-grade": [
        Check("POST", url("/vetting/risk-grade"), {**only(Role.APPROVER, status=303), Role.REVIEWER: 422},
              {"grade": ""}),  # a reviewer who is not on this panel is refused by the rule
    ],
    "/projects/<int:project_id>/vetting/scores.xlsx": [
        Check("GET", url("/vetting/scores.xlsx"), for_roles({Role.APPROVER: 200, Role.ADMIN: 200}))
    ],
    "/projects/<int:project_id>/feasibility-report": [Check("GET", url("/feasibility-report"), signed_in())],
    "/admin/criteria": [Check("GET", "/admin/criteria", only(Role.ADMIN))],
    "/admin/criteria/new": [Check("GET", "/admin/criteria/new", only(Role.ADMIN))],
    "/admin/criteria/<int:set_id>": [Check("GET", lambda w: f"/admin/criteria/{w['criteria_set'].id}", only(Role.ADMIN))],
    "/admin/criteria/<int:set_id>/activate": [
        Check("POST", lambda w: f"/admin/criteria/{w['criteria_set'].id}/activate", only(Role.ADMIN, status=303))
    ],
}
