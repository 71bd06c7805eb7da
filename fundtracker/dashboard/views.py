"""The county dashboard (资金运行总览): the whole fund on one printable page, with its Excel download."""
from flask import Blueprint, abort, render_template
from markupsafe import Markup

from ..auth.access import roles_required
from ..auth.roles import COUNTY_ROLES
from ..exports import workbook_response
from ..geo.services import township_choices
from ..views_common import int_arg
from .services import DashboardFilter, dashboard_sections, dashboard_tables, pool_choices

bp = Blueprint("dashboard", __name__)
DASHBOARD_ROLES = frozenset(COUNTY_ROLES)
county_only = roles_required(*DASHBOARD_ROLES)


def _filters() -> DashboardFilter:
    return DashboardFilter(year=int_arg("year", 2000, 2100), township_id=int_arg("township"), pool_id=int_arg("pool"))


def _rendered(sections) -> list[tuple[object, Markup]]:
    """Each connected section as (title, its template rendered with its own context)."""
    return [(section.title, Markup(render_template(section.template, **section.context))) for section in sections]


@bp.route("/dashboard")
@county_only
def dashboard():
    filters = _filters()
    return render_template("dashboard/dashboard.html", filters=filters, tables=dashboard_tables(filters),
                           sections=_rendered(dashboard_sections(filters)), townships=township_choices(), pools=pool_choices())


@bp.route("/dashboard.<fmt>")
@county_only
def export_dashboard(fmt):
    """Every table of the dashboard under the same filters, one sheet each (Excel only: CSV has one table)."""
    if fmt != "xlsx":
        abort(404)
    return workbook_response("资金运行总览-fund-overview", [table.sheet() for table in dashboard_tables(_filters())])
