"""Extension points: the named joints through which a higher domain plugs into a lower one.

A lower layer never imports a higher one. Where it needs something from above (a tab on the
project page, a guard on a transition, a to-do count, a seed step, a ledger check), it asks the
handlers connected to one of these points. Each domain connects its handlers in its own
`init_app(app)`, which `create_app` calls in layer order; the handlers live on the app
(`app.extensions`), so every app has exactly the wiring its domains gave it and nothing is
registered as a side effect of an import.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from flask import current_app

EXTENSION_KEY = "fundtracker.hooks"


class Hook(StrEnum):
    # key: a state machine's name. fn(obj, action, actor, data); raises DomainError to refuse.
    TRANSITION_GUARD = "transition_guard"
    # key: a state machine's name. fn(obj, action, actor, data), after the status has changed.
    TRANSITION_EFFECT = "transition_effect"
    # key: a role. fn(user) -> [TodoItem] for the home page.
    TODO = "todo"
    # NavEntry objects for the header.
    NAVIGATION = "navigation"
    # fn(scale): demo data, run in the order connected (layer order).
    SEED_STEP = "seed_step"
    # fn(size: demo.CountySize): bulk benchmark data (`seed-demo --villages/--projects/--entries`),
    # run after the seed steps in the order connected (layer order).
    COUNTY_SEED_STEP = "county_seed_step"
    # key: the name of a demo step that a lower domain's demo plan names. fn(obj, plan).
    DEMO_STEP = "demo_step"
    # fn() -> list of violations (str) for `flask verify-ledger` and the ledger check page.
    LEDGER_CHECK = "ledger_check"
    # ProjectTab objects for the project page.
    PROJECT_TAB = "project_tab"
    # fn(project, user) -> the URL the user must visit first (e.g. a declaration), or None.
    PROJECT_READ_GUARD = "project_read_guard"
    # fn(project) -> what a county decision records of the panel: {"panel_score_centi": …, "panel_round": …}.
    DECISION_BASIS = "decision_basis"
    # fn(project_ids) -> {id: title}: how the ledger names the projects its entries pay.
    PROJECT_TITLES = "project_titles"
    # fn(project) -> Section or None: a domain's part of the public project page (no login; never
    # names a person, an account number or a private attachment).
    PUBLIC_PROJECT_SECTION = "public_project_section"
    # fn(village) -> Section or None: a domain's part of the public village page.
    PUBLIC_VILLAGE_SECTION = "public_village_section"
    # fn(filters) -> Section or None: a domain's part of the county dashboard (filters: year,
    # township_id, pool_id); its figures come from the same service functions as its own pages.
    DASHBOARD_SECTION = "dashboard_section"
    # fn(projects, today) -> {project_id: [monitoring.status.Cause]}: a higher domain's reasons for a
    # project's colour on the warning board (e.g. accepted but its assets never registered).
    MONITORING_CAUSES = "monitoring_causes"


@dataclass(frozen=True)
class Section:
    """A part of a page that another domain renders: its heading, its template and that template's
    context. Pages show sections sorted by position, then in the order connected."""
    title: object
    template: str
    context: dict = field(default_factory=dict)
    position: int = 100


def _registry(app) -> defaultdict:
    return app.extensions.setdefault(EXTENSION_KEY, defaultdict(list))


def connect(app, hook: Hook, handler, key=None) -> None:
    """Connect a handler to an extension point of this app (from a domain's init_app)."""
    handlers_of_point = _registry(app)[(Hook(hook), key)]
    if handler not in handlers_of_point:
        handlers_of_point.append(handler)


def disconnect(app, hook: Hook, handler, key=None) -> None:
    """Take a handler off an extension point of this app (a test of a lower layer on its own)."""
    handlers_of_point = _registry(app)[(Hook(hook), key)]
    if handler in handlers_of_point:
        handlers_of_point.remove(handler)


def handlers(hook: Hook, key=None) -> list:
    """The handlers connected to an extension point of the current app, in the order connected."""
    return list(_registry(current_app).get((Hook(hook), key), ()))
