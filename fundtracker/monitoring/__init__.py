"""Monitoring (监测预警): indicators per project, readings, red / yellow / green with reasons,
warnings the county acts on, the warning board. Plugs into projects through their extension
points (a project tab, to-dos, navigation, a demo step) and guards the disbursement machine's
approval of a payment to a red project with an open warning."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from ..disbursements.services import PAYMENT_MACHINE
    from ..projects.workflow import MACHINE_NAME as PROJECT_MACHINE
    from . import models  # noqa: F401  (its tables)
    from .cli import refresh_monitoring_command
    from .demo import seed_monitoring
    from .services import payment_guard
    from .stored import recompute_after_transition, refresh_all
    from .todo import county_todos, village_todos
    from .views import BOARD_ROLES, TABS, bp
    from .warnings import MACHINE_NAME as WARNING_MACHINE

    app.register_blueprint(bp)
    app.cli.add_command(refresh_monitoring_command)
    # the writes that change a stored colour
    for machine in (PROJECT_MACHINE, PAYMENT_MACHINE.name, WARNING_MACHINE):
        connect(app, Hook.TRANSITION_EFFECT, recompute_after_transition, key=machine)
    connect(app, Hook.COUNTY_SEED_STEP, lambda size: refresh_all())  # after the bulk projects
    for tab in TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.TRANSITION_GUARD, payment_guard, key=PAYMENT_MACHINE.name)
    connect(app, Hook.TODO, village_todos, key=Role.VILLAGE)
    connect(app, Hook.TODO, county_todos, key=Role.APPROVER)
    connect(app, Hook.SEED_STEP, seed_monitoring)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Warning board"), "monitoring.board", frozenset(BOARD_ROLES),
                                           position=35))
