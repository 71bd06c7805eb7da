"""Village projects (项目库): applications, the approval chain, the project page and its tabs."""
from flask_babel import lazy_gettext as _l

from ..navigation import EVERYONE, NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from . import models  # noqa: F401  (its tables)
    from .demo import seed_county_projects, seed_projects
    from .services import project_titles
    from .todo import WAITING, provider_for
    from .views import OWN_TABS, bp

    app.register_blueprint(bp)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Project library"), "projects.library", EVERYONE, position=20))
    for role in WAITING:
        connect(app, Hook.TODO, provider_for(role), key=role)
    for tab in OWN_TABS:
        connect(app, Hook.PROJECT_TAB, tab)
    connect(app, Hook.SEED_STEP, seed_projects)
    connect(app, Hook.COUNTY_SEED_STEP, seed_county_projects)
    connect(app, Hook.PROJECT_TITLES, project_titles)
