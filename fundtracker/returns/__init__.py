"""Returns (收益) and their distribution (收益分配): each period's revenue, cost and net per project,
distribution plans through the members' meeting, the notice and the payout, the returns view with
its chart. Plugs into projects through their extension points (a project tab, the village's to-do,
a demo step)."""
from ..auth.roles import Role
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from .demo import seed_returns
    from .todo import village_todos
    from .views import TABS, bp

    app.register_blueprint(bp)
    for tab in TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.TODO, village_todos, key=Role.VILLAGE)
    connect(app, Hook.SEED_STEP, seed_returns)
