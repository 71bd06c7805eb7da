"""Acceptance (验收) at two levels with rectification, asset handover and registration (确权) with their
upkeep and disposal, the exit (资金退出) with its recoveries, and closing. Plugs into the lower layers
through their extension points: a project tab, to-dos per role, the asset register in the navigation, a
ledger check, a warning-board cause, the public project section and a demo step."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import COUNTY_ROLES, Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from ..monitoring.stored import recompute_after_transition
    from .board import unregistered_asset_causes
    from .checks import MACHINE_NAME as ACCEPTANCE_MACHINE
    from .demo import seed_acceptance
    from .exits import recoveries_within_payments
    from .public import public_project_section
    from .todo import approver_todos, finance_todos, township_todos, village_todos
    from .views import TABS, bp

    app.register_blueprint(bp)
    for tab in TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.TODO, township_todos, key=Role.TOWN)
    connect(app, Hook.TODO, approver_todos, key=Role.APPROVER)
    connect(app, Hook.TODO, village_todos, key=Role.VILLAGE)
    connect(app, Hook.TODO, finance_todos, key=Role.FINANCE)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Asset register"), "acceptance.register", COUNTY_ROLES, position=38))
    connect(app, Hook.LEDGER_CHECK, recoveries_within_payments)
    connect(app, Hook.MONITORING_CAUSES, unregistered_asset_causes)
    connect(app, Hook.TRANSITION_EFFECT, recompute_after_transition, key=ACCEPTANCE_MACHINE)  # its stored colour
    connect(app, Hook.PUBLIC_PROJECT_SECTION, public_project_section)
    connect(app, Hook.SEED_STEP, seed_acceptance)
