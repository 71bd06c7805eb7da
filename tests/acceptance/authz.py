"""Authorization entries of the acceptance pages (see tests/test_authorization_matrix.py)."""
from datetime import date

from fundtracker.acceptance.models import (
    Acceptance,
    AcceptanceCheck,
    AssetDisposal,
    ProjectAsset,
    ProjectExit,
    Rectification,
)
from fundtracker.auth.roles import COUNTY_ROLES, Role
from fundtracker.extensions import db
from fundtracker.pools.models import FundPool
from fundtracker.projects.applications import save_application

from ..authz_helpers import Check, only, signed_in
from ..projects.conftest import complete_application

WAN = 10_000 * 100


def _project(world, author, title, status, **columns):
    project = save_application(None, complete_application(title=title), village_id=world["village"].id, actor=author)
    project.status = status
    for name, value in columns.items():
        setattr(project, name, value)
    db.session.flush()
    return project


def _rectifying(project, author):
    acceptance = Acceptance(project_id=project.id, status="town_fix")
    db.session.add(acceptance)
    db.session.flush()
    check = AcceptanceCheck(acceptance_id=acceptance.id, project_id=project.id, level="town",
                            checked_on=date(2026, 9, 1), members="镇农办", result="fail", findings="返工",
                            recorded_by_id=author.id)
    db.session.add(check)
    db.session.flush()
    db.session.add(Rectification(acceptance_id=acceptance.id, project_id=project.id, check_id=check.id, level="town",
                                 required_changes="返工", rectify_by=date(2026, 9, 30)))


def extend_world(world, request):
    author = request.getfixturevalue("make_user")(Role.VILLAGE, username="authz-acceptance", village=world["village"])
    pool = FundPool(name="验收资金池", year=2026)
    db.session.add(pool)
    db.session.flush()
    works = _project(world, author, "验收项目", "in_progress")
    rectifying = _project(world, author, "整改项目", "in_progress")
    _rectifying(rectifying, author)
    accepted = _project(world, author, "已验收项目", "accepted")
    operating = _project(world, author, "运营项目", "operating")
    asset = ProjectAsset(project_id=operating.id, village_id=world["village"].id, name="车间", asset_class="operating",
                         value_fen=WAN, owner="村集体", upkeep_party="村集体", upkeep_duties="检修",
                         registered_on=date(2026, 10, 1), certificate_reference="确1", registered_by_id=author.id)
    db.session.add(asset)
    db.session.flush()
    disposal = AssetDisposal(asset_id=asset.id, project_id=operating.id, kind="scrap", reason="损毁",
                             meeting_on=date(2026, 10, 5), meeting_reference="纪要", proposed_by_id=author.id)
    exited = _project(world, author, "退出项目", "exited", pool_id=pool.id, approved_amount_fen=10 * WAN)
    db.session.add_all([disposal, ProjectExit(project_id=exited.id, reason_kind="stopped", reason="停工",
                                              from_status="in_progress", triggered_by_id=author.id)])
    db.session.commit()
    world.update(acceptance_works=works, acceptance_rectifying=rectifying, acceptance_accepted=accepted,
                 acceptance_operating=operating, acceptance_asset=asset, acceptance_disposal=disposal,
                 acceptance_exited=exited)


def url(key, suffix):
    return lambda w: f"/projects/{w[key].id}{suffix}"


APPROVER = only(Role.APPROVER)

ENTRIES = {
    "/projects/<int:project_id>/acceptance": [Check("GET", url("acceptance_works", "/acceptance"), signed_in())],
    "/projects/<int:project_id>/acceptance/check": [
        Check("GET", url("acceptance_works", "/acceptance/check"), only(Role.TOWN))],
    "/projects/<int:project_id>/acceptance/answer": [
        Check("GET", url("acceptance_rectifying", "/acceptance/answer"), only(Role.VILLAGE))],
    "/projects/<int:project_id>/assets/new": [Check("GET", url("acceptance_accepted", "/assets/new"), APPROVER)],
    "/projects/<int:project_id>/assets/<int:asset_id>/dispose": [
        Check("GET", lambda w: f"/projects/{w['acceptance_operating'].id}/assets/{w['acceptance_asset'].id}/dispose",
              only(Role.VILLAGE, Role.APPROVER))],
    "/projects/<int:project_id>/disposals/<int:disposal_id>/<action>": [
        Check("GET", lambda w: f"/projects/{w['acceptance_operating'].id}/disposals/{w['acceptance_disposal'].id}"
                               "/approve", APPROVER)],
    "/projects/<int:project_id>/exit": [Check("GET", url("acceptance_works", "/exit"), APPROVER)],
    "/projects/<int:project_id>/exit/write_off": [Check("GET", url("acceptance_exited", "/exit/write_off"), APPROVER)],
    "/projects/<int:project_id>/recoveries/new": [
        Check("GET", url("acceptance_exited", "/recoveries/new"), only(Role.FINANCE))],
    "/projects/<int:project_id>/close": [Check("GET", url("acceptance_operating", "/close"), APPROVER)],
    "/assets": [Check("GET", "/assets", only(*COUNTY_ROLES))],
    "/assets/register.<fmt>": [Check("GET", "/assets/register.xlsx", only(*COUNTY_ROLES))],
}
