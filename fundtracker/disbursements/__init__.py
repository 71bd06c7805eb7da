"""Staged disbursements (分批拨付): tranche plans, progress reports, payment requests with four eyes,
the approval that pays money out of a pool, and the finance approval queue. Plugs into projects
(a tab, the first payment starts the works) and pools (the ledger) through their extension points
and services; monitoring connects its guard to this machine ("disbursement")."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from ..projects.tabs import ProjectTab
    from .demo import seed_disbursements
    from .todo import finance_todos, township_todos
    from .views import bp

    app.register_blueprint(bp)
    connect(app, Hook.PROJECT_TAB, ProjectTab(_l("Tranches and payments"), "disbursements.tranches"))
    connect(app, Hook.NAVIGATION, NavEntry(_l("Payments to approve"), "disbursements.queue",
                                           frozenset({Role.FINANCE}), position=45))
    connect(app, Hook.TODO, township_todos, key=Role.TOWN)
    connect(app, Hook.TODO, finance_todos, key=Role.FINANCE)
    connect(app, Hook.SEED_STEP, seed_disbursements)
