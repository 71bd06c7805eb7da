"""Authorization entries of the monitoring pages (see tests/test_authorization_matrix.py)."""
from datetime import date

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.monitoring import services
from fundtracker.projects.applications import save_application

from ..authz_helpers import Check, only, signed_in
from ..projects.conftest import complete_application

BOARD = (Role.TOWN, Role.REVIEWER, Role.APPROVER, Role.FINANCE, Role.ADMIN)


def extend_world(world, request):
    make_user = request.getfixturevalue("make_user")
    lead = make_user(Role.APPROVER, username="authz-monitor")
    reporter = make_user(Role.VILLAGE, username="authz-monitor-village", village=world["village"])
    project = save_application(None, complete_application(title="监测项目"), village_id=world["village"].id,
                               actor=reporter)
    project.status = "approved"
    indicator = services.add_indicator(project, services.IndicatorInput("最低存栏数", "头", 30_000, None,
                                                                        monitored_from=date(2026, 6, 30)), actor=lead)
    services.record_reading(project, indicator, value_centi=10_000, read_on=date(2026, 10, 31), actor=reporter)
    db.session.commit()
    world.update(monitored=project, indicator=indicator, warning=services.open_warning(project))


def url(suffix):
    return lambda w: f"/projects/{w['monitored'].id}{suffix}"


ENTRIES = {
    "/monitoring": [Check("GET", "/monitoring", only(*BOARD))],
    "/monitoring/board.<fmt>": [Check("GET", "/monitoring/board.xlsx", only(*BOARD)),
                                Check("GET", "/monitoring/board.csv", only(*BOARD))],
    "/projects/<int:project_id>/monitoring": [Check("GET", url("/monitoring"), signed_in())],
    "/projects/<int:project_id>/monitoring/indicators": [
        Check("POST", url("/monitoring/indicators"), only(Role.APPROVER, status=303),
              {"name": "流动资金", "unit": "元", "minimum": "200000", "reporting_interval": "quarterly",
               "reporter": "village"}),
    ],
    "/projects/<int:project_id>/monitoring/indicators/<int:indicator_id>": [
        Check("GET", lambda w: f"/projects/{w['monitored'].id}/monitoring/indicators/{w['indicator'].id}",
              signed_in()),
    ],
    "/projects/<int:project_id>/warnings/<int:warning_id>/<action>": [
        Check("GET", lambda w: f"/projects/{w['monitored'].id}/warnings/{w['warning'].id}/confirm",
              only(Role.APPROVER)),
    ],
}
