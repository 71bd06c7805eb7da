"""The yearly performance evaluation (年度绩效评价) with the village's self-evaluation, published snapshots
and their versions, and the rankings of projects and villages. Plugs into projects through their extension
points (a project tab, to-dos, navigation, a demo step) and gives the public project page and the county
dashboard a section each."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from .demo import seed_evaluations
    from .sections import dashboard_section, public_project_section
    from .settings import init_settings
    from .todo import county_todos, village_todos
    from .views import LIST_ROLES, TABS, bp

    init_settings(app)
    app.register_blueprint(bp)
    for tab in TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.TODO, county_todos, key=Role.APPROVER)
    connect(app, Hook.TODO, village_todos, key=Role.VILLAGE)
    connect(app, Hook.SEED_STEP, seed_evaluations)
    connect(app, Hook.PUBLIC_PROJECT_SECTION, public_project_section)
    connect(app, Hook.DASHBOARD_SECTION, dashboard_section)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Performance evaluation"), "evaluation.year_list", frozenset(LIST_ROLES),
                                           position=50))
