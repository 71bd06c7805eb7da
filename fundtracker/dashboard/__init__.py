"""The county dashboard (资金运行总览): pools by source, committed / paid / available, payments by month,
returns and distributions by year, red / yellow / green by township, projects along the chain, and the
sections the higher domains connect to Hook.DASHBOARD_SECTION. Every figure comes from the service
function of the page it summarises."""
from flask_babel import lazy_gettext as _l

from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from .views import DASHBOARD_ROLES, bp

    app.register_blueprint(bp)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Fund overview"), "dashboard.dashboard", DASHBOARD_ROLES, position=15))
