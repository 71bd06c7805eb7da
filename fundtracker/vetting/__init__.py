"""County vetting ("4+X" panel): criteria sets, panels, declarations, score sheets, site visits,
the panel result and the feasibility report. Plugs into the projects domain through its
extension points: the decision gate on the project machine, the panel score a decision records,
the declaration before reading, two project tabs, the reviewer's to-do, the demo panels."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from ..projects.workflow import MACHINE_NAME
    from .demo import panel_demo_step
    from .services import decision_basis, decision_gate, round_effects
    from .todo import reviewer_todos
    from .views import TABS, bp, declare_before_reading

    app.register_blueprint(bp)
    connect(app, Hook.TRANSITION_GUARD, decision_gate, key=MACHINE_NAME)
    connect(app, Hook.TRANSITION_EFFECT, round_effects, key=MACHINE_NAME)
    connect(app, Hook.DECISION_BASIS, decision_basis)
    connect(app, Hook.PROJECT_READ_GUARD, declare_before_reading)
    for tab in TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.TODO, reviewer_todos, key=Role.REVIEWER)
    connect(app, Hook.DEMO_STEP, panel_demo_step, key="panel")
    connect(app, Hook.NAVIGATION, NavEntry(_l("Vetting"), "vetting.my_panels",
                                           frozenset({Role.REVIEWER, Role.APPROVER}), position=30))
    connect(app, Hook.NAVIGATION, NavEntry(_l("Criteria sets"), "vetting.criteria_sets",
                                           frozenset({Role.ADMIN}), position=70))
