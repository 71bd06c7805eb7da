"""Authorization entries of the returns pages (see tests/test_authorization_matrix.py)."""
from datetime import date

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.projects.applications import save_application
from fundtracker.returns import services

from ..authz_helpers import Check, only, signed_in
from ..projects.conftest import complete_application

WAN = 10_000 * 100


def extend_world(world, request):
    make_user = request.getfixturevalue("make_user")
    reporter = make_user(Role.VILLAGE, username="authz-returns-village", village=world["village"])
    project = save_application(None, complete_application(title="收益项目"), village_id=world["village"].id,
                               actor=reporter)
    project.status = "approved"
    record = services.record_return(project, services.ReturnInput("year", date(2025, 1, 1), 100 * WAN, 60 * WAN),
                                    actor=reporter)
    planned = services.record_return(project, services.ReturnInput("year", date(2024, 1, 1), 100 * WAN, 60 * WAN),
                                     actor=reporter)
    plan = services.draft_plan(project, planned, services.PlanInput(
        collective_fen=12 * WAN, dividends_fen=16 * WAN, households=100, reinvestment_fen=8 * WAN,
        risk_reserve_fen=4 * WAN), actor=reporter)
    db.session.commit()
    world.update(earning=project, record=record, plan=plan)


def url(suffix):
    return lambda w: f"/projects/{w['earning'].id}{suffix}"


VILLAGE_ONLY = only(Role.VILLAGE)

ENTRIES = {
    "/projects/<int:project_id>/returns": [Check("GET", url("/returns"), signed_in())],
    "/projects/<int:project_id>/returns/new": [Check("GET", url("/returns/new"), VILLAGE_ONLY)],
    "/projects/<int:project_id>/returns/<int:record_id>/plan": [
        Check("GET", lambda w: f"/projects/{w['earning'].id}/returns/{w['record'].id}/plan", VILLAGE_ONLY)],
    "/projects/<int:project_id>/returns/<int:record_id>/plan/remaining": [
        Check("POST", lambda w: f"/projects/{w['earning'].id}/returns/{w['record'].id}/plan/remaining",
              VILLAGE_ONLY, {"collective_fen": "10"})],
    "/projects/<int:project_id>/plans/<int:plan_id>": [
        Check("GET", lambda w: f"/projects/{w['earning'].id}/plans/{w['plan'].id}", signed_in())],
    "/projects/<int:project_id>/plans/<int:plan_id>/objections": [
        Check("POST", lambda w: f"/projects/{w['earning'].id}/plans/{w['plan'].id}/objections",
              only(Role.VILLAGE, status=422), {"raised_on": "2026-01-01", "objection": "?", "answer": "!"})],
    "/projects/<int:project_id>/plans/<int:plan_id>/<action>": [
        Check("GET", lambda w: f"/projects/{w['earning'].id}/plans/{w['plan'].id}/adopt", VILLAGE_ONLY)],
    "/returns/rules/<int:pool_id>": [Check("GET", lambda w: f"/returns/rules/{w['pool'].id}", only(Role.APPROVER))],
}
