"""Authorization entries of the disbursement pages (see tests/test_authorization_matrix.py)."""
from datetime import date

from fundtracker.auth.roles import Role
from fundtracker.disbursements import services
from fundtracker.extensions import db
from fundtracker.pools.models import EntryKind, FundPool
from fundtracker.pools.services import append_entry, commit_to_project
from fundtracker.projects.applications import save_application

from ..authz_helpers import ANONYMOUS, LOGIN_REDIRECT, ROLES, Check, only, signed_in
from ..projects.conftest import complete_application

WAN = 10_000 * 100


def extend_world(world, request):
    make_user = request.getfixturevalue("make_user")
    village = world["village"]
    author = make_user(Role.VILLAGE, username="payee-village", village=village)
    project = save_application(None, complete_application(title="拨付项目"), village_id=village.id, actor=author)
    pool = FundPool(name="拨付资金池", year=2026)
    db.session.add(pool)
    db.session.flush()
    append_entry(pool.id, EntryKind.CONTRIBUTION, 500 * WAN, actor=world["spare"], value_date=date(2026, 1, 5))
    project.status, project.approved_amount_fen, project.pool_id = "approved", 100 * WAN, pool.id
    commit_to_project(pool.id, project.id, 100 * WAN, actor=world["spare"])
    first = services.save_plan(project, services.default_plan(project), actor=world["spare"])[0]
    report = services.submit_progress_report(project, first, progress_percent=10, narrative="开工", actor=author)
    payment = services.Disbursement(project_id=project.id, tranche_id=first.id, pool_id=pool.id, amount_fen=WAN,
                                    payee_name="x", payee_account="123456789", payee_bank="y", purpose="工程款",
                                    prepared_by_id=world["spare"].id)
    db.session.add(payment)
    db.session.commit()
    world.update(paid_project=project, tranche=first, report=report, payment=payment)


def url(path):
    return lambda w: path.format(p=w["paid_project"].id, t=w["tranche"].id, r=w["report"].id, d=w["payment"].id)


def statuses(default, anonymous=LOGIN_REDIRECT, **by_role):
    return {role: anonymous if role == ANONYMOUS else by_role.get(role, default) for role in ROLES}


COUNTY_READERS = (Role.FINANCE, Role.APPROVER, Role.ADMIN)
ENTRIES = {
    "/disbursements": [Check("GET", "/disbursements", only(Role.FINANCE))],
    "/disbursements/<int:payment_id>": [Check("GET", url("/disbursements/{d}"), only(*COUNTY_READERS))],
    "/disbursements/<int:payment_id>/<action>": [
        Check("POST", url("/disbursements/{d}/no_such_action"), statuses(403, finance=404))],
    "/disbursements/ledger.<fmt>": [Check("GET", "/disbursements/ledger.csv", only(*COUNTY_READERS))],
    "/projects/<int:project_id>/tranches": [Check("GET", url("/projects/{p}/tranches"), signed_in())],
    "/projects/<int:project_id>/tranches/generate": [
        Check("POST", url("/projects/{p}/tranches/generate"), only(Role.FINANCE, status=422),
              {"retention_percent": "abc"})],
    "/projects/<int:project_id>/tranches/plan": [
        Check("GET", url("/projects/{p}/tranches/plan"), only(Role.FINANCE))],
    "/projects/<int:project_id>/tranches/<int:tranche_id>/payment": [
        Check("GET", url("/projects/{p}/tranches/{t}/payment"), only(Role.FINANCE))],
    "/projects/<int:project_id>/tranches/<int:tranche_id>/acceptance": [
        Check("POST", url("/projects/{p}/tranches/{t}/acceptance"), only(Role.APPROVER, status=422))],
    "/projects/<int:project_id>/progress-reports": [
        Check("POST", url("/projects/{p}/progress-reports"), statuses(403, village=422))],
    "/projects/<int:project_id>/progress-reports/<int:report_id>/<action>": [
        Check("POST", url("/projects/{p}/progress-reports/{r}/confirm"), statuses(403, town=303))],
}
