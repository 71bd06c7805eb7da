"""Authorization entries of the evaluation pages (see tests/test_authorization_matrix.py). The evaluated
project is in a neighbouring village of the same township: the matrix gives every user the world's village,
and nobody evaluates their own village's project for the county, so the approver acts here, the township
sees it and the village collective of the other village gets 404."""
from fundtracker.auth.roles import Role
from fundtracker.evaluation import services
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application

from ..authz_helpers import ANONYMOUS, LOGIN_REDIRECT, ROLES, Check, only
from ..projects.conftest import complete_application

YEAR = 2026
LIST_ROLES = (Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.ADMIN, Role.TOWN)


def extend_world(world, request):
    make_user, make_village = request.getfixturevalue("make_user"), request.getfixturevalue("make_village")
    neighbour = make_village(township=world["village"].township)
    author = make_user(Role.VILLAGE, username="authz-evaluation-village", village=neighbour)
    approver = make_user(Role.APPROVER, username="authz-evaluation-approver")
    project = save_application(None, complete_application(title="评价项目"), village_id=neighbour.id, actor=author)
    project.status = "in_progress"
    evaluation = services.open_evaluation(project, YEAR, actor=approver)
    services.apply_evaluation_action(evaluation, services.EvaluationAction.TAKE_UP, approver)
    db.session.commit()
    world.update(evaluated=project, evaluation=evaluation, neighbour=neighbour)


def _statuses(village, listed, others=403):
    return {role: LOGIN_REDIRECT if role == ANONYMOUS else village if role == Role.VILLAGE
            else listed.get(role, others) for role in ROLES}


def url(suffix):
    return lambda w: f"/projects/{w['evaluated'].id}/evaluation{suffix}"


def step(suffix):
    return lambda w: f"/projects/{w['evaluated'].id}/evaluation/{w['evaluation'].id}{suffix}"


SEE = {role: 200 for role in ROLES}
LISTS = only(*LIST_ROLES)

ENTRIES = {
    "/projects/<int:project_id>/evaluation": [Check("GET", url(""), _statuses(404, SEE))],
    "/projects/<int:project_id>/evaluation/open": [
        Check("POST", url("/open"), _statuses(404, {Role.APPROVER: 422}), {"year": str(YEAR)})],
    "/projects/<int:project_id>/evaluation/<int:evaluation_id>/edit": [
        Check("GET", step("/edit"), only(Role.APPROVER))],
    "/projects/<int:project_id>/evaluation/<int:evaluation_id>/<action>": [
        Check("GET", step("/publish"), _statuses(404, {Role.APPROVER: 200}))],
    "/evaluation/": [Check("GET", "/evaluation/", LISTS)],
    "/evaluation/rankings": [Check("GET", "/evaluation/rankings", LISTS)],
    "/evaluation/rankings.<fmt>": [Check("GET", "/evaluation/rankings.xlsx", LISTS)],
    "/evaluation/villages/<int:village_id>": [
        Check("GET", lambda w: f"/evaluation/villages/{w['neighbour'].id}", _statuses(404, SEE))],
}
